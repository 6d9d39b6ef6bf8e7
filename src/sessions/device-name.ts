import Bowser from 'bowser';

/** "Firefox 133 on macOS" from a user agent; null when there is none or nothing is recognised. */
export function deviceName(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const { browser, os } = Bowser.parse(userAgent);
  const name = [browser.name, browser.version?.split('.')[0]].filter(Boolean).join(' ');
  if (!name && !os.name) return null;
  return name && os.name ? `${name} on ${os.name}` : name || (os.name as string);
}
