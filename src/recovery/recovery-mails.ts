import ms from 'ms';
import { linkMessage } from '../mail/link-message.js';
import type { MailMessage } from '../mail/mail.service.js';

/** The front end's pages the links open; each posts the token to the API. */
export const RESET_PAGE = '/reset-password';
export const VERIFY_PAGE = '/verify-email';

export function link(appUrl: string, page: string, token: string): string {
  return `${appUrl}${page}?token=${token}`;
}

export function passwordResetMail(to: string, url: string, ttlMs: number): MailMessage {
  return {
    to,
    subject: 'Reset your password',
    ...linkMessage({
      intro: 'Someone asked to reset the password of the account with this email address.',
      action: 'Choose a new password',
      url,
      outro: `The link works once, for ${ms(ttlMs, { long: true })}. Using it logs every device out of the account. If you did not ask for it, ignore this mail: your password stays as it is.`,
    }),
  };
}

export function verificationMail(to: string, url: string, ttlMs: number): MailMessage {
  return {
    to,
    subject: 'Confirm your email address',
    ...linkMessage({
      intro: 'An account was registered with this email address. Please confirm that it is yours.',
      action: 'Confirm my email address',
      url,
      outro: `The link works once, for ${ms(ttlMs, { long: true })}. If you did not register, ignore this mail.`,
    }),
  };
}
