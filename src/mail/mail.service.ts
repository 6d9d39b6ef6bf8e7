import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { ensurePrivateDir } from '../common/private-dir.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where a message went: the SMTP server, or the outbox file a person opens. */
export type MailDelivery = { via: 'smtp' } | { via: 'outbox'; file: string };

/**
 * Sends mail: through SMTP_URL when it is set, otherwise into DATA_DIR/outbox/ as one complete
 * RFC 5322 message (.eml) per file, so a fresh clone needs no mail server. Knows no feature:
 * callers bring the message. The outbox's log line names the file, never its link: a mailed
 * link holds a one-time secret, and no log line may hold one.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private readonly from: string;
  private readonly smtp: Transporter | undefined;
  /** Builds the message nodemailer would send, as bytes, for the outbox. */
  private readonly builder: Transporter;
  private readonly outbox: string;

  constructor(@Inject(ConfigService) config: AppConfigService) {
    const { smtpUrl, from } = config.get('mail', { infer: true });
    this.from = from;
    this.smtp = smtpUrl ? nodemailer.createTransport(smtpUrl) : undefined;
    // RFC 5322 lines end in CRLF, in files as on the wire.
    this.builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    this.outbox = resolve(config.get('app.dataDir', { infer: true }), 'outbox');
  }

  async send(message: MailMessage): Promise<MailDelivery> {
    const mail = { from: this.from, to: message.to, subject: message.subject, text: message.text, html: message.html };
    if (this.smtp) {
      await this.smtp.sendMail(mail);
      return { via: 'smtp' };
    }
    const built = (await this.builder.sendMail(mail)) as unknown as { message: Buffer };
    ensurePrivateDir(this.outbox);
    // Sorts by time; the random part keeps two messages of one millisecond apart.
    const file = join(
      this.outbox,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`,
    );
    await writeFile(file, built.message, { mode: 0o600, flag: 'wx' });
    this.logger.log(`Mail "${message.subject}" written to ${file} (no SMTP_URL set): open it to follow its link`);
    return { via: 'outbox', file };
  }

  /** After the mails still under way have gone out (they are awaited before shutdown). */
  onApplicationShutdown(): void {
    this.smtp?.close();
  }
}
