/** The parts of a mail whose point is one link: plain text and HTML carry the same words. */
export interface LinkMessageParts {
  /** The first paragraph, saying why the mail was sent. */
  intro: string;
  /** The link's label (the button in HTML). */
  action: string;
  url: string;
  /** The last paragraph: how long the link works, what to do if the mail was unexpected. */
  outro: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * Plain text and HTML for a one-link mail. Small enough that a template engine (handlebars,
 * mjml) would add more than it saves; every value is HTML-escaped.
 */
export function linkMessage({ intro, action, url, outro }: LinkMessageParts): { text: string; html: string } {
  const text = `${intro}\n\n${action}:\n${url}\n\n${outro}\n`;
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(intro)}</p>`,
    `<p><a href="${escapeHtml(url)}" style="display: inline-block; padding: 8px 16px; background: #2457c5; color: #fff; text-decoration: none; border-radius: 4px">${escapeHtml(action)}</a></p>`,
    `<p style="font-size: 90%">Or open this address: <br>${escapeHtml(url)}</p>`,
    `<p>${escapeHtml(outro)}</p>`,
    '</body></html>',
  ].join('\n');
  return { text, html };
}
