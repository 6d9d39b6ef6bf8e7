import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope recipients, as the server received them. */
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The message as it came over the wire. */
  raw: string;
}

/**
 * A real SMTP server in the test process (smtp-server, on a free loopback port): the app sends
 * through SMTP_URL = `smtp.url` exactly as it would to a production relay, and the tests read
 * what arrived. No TLS and no authentication, as a local relay.
 *
 *   const smtp = await TestSmtpServer.start();
 *   const t = await createTestApp({ env: { SMTP_URL: smtp.url } });
 *   const mail = await smtp.waitFor(ada.email);
 *   const token = tokenFrom(mail);
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  private readonly waiters = new Set<() => void>();
  private held: Array<() => void> | undefined;

  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
  ) {}

  static async start(): Promise<TestSmtpServer> {
    const ref: { self?: TestSmtpServer } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw)
            .then((parsed) => {
              const deliver = () =>
                ref.self?.deliver({
                  to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
                  subject: parsed.subject ?? '',
                  text: parsed.text ?? '',
                  html: typeof parsed.html === 'string' ? parsed.html : '',
                  raw,
                });
              // While held, the message is neither accepted nor visible: the sender waits.
              const finish = () => {
                deliver();
                callback();
              };
              if (ref.self?.held) ref.self.held.push(finish);
              else finish();
            })
            .catch((error: Error) => callback(error));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.server.address() as AddressInfo;
    const started = new TestSmtpServer(server, `smtp://127.0.0.1:${port}`);
    ref.self = started;
    return started;
  }

  /** Mails received for `address` so far. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(address.toLowerCase()));
  }

  /** The `count`-th mail (from 1) received for `address`, waiting up to `timeoutMs` for it. */
  async waitFor(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mails = this.to(address);
      if (mails.length >= count) return mails[count - 1]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no mail #${count} for ${address} within ${timeoutMs} ms (got ${mails.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        const waiters = this.waiters;
        waiters.add(done);
      });
    }
  }

  /** Stops answering DATA: every sender waits, as on a slow or stuck relay, until `release`. */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const finish of held) finish();
  }

  close(): Promise<void> {
    this.release();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private deliver(mail: ReceivedMail): void {
    this.received.push(mail);
    for (const wake of [...this.waiters]) wake();
  }
}

/** The one-time token of a mail's link (`…?token=<token>`), read from its plain-text part. */
export function tokenFrom(mail: ReceivedMail): string {
  const tokens = [...mail.text.matchAll(/[?&]token=([A-Za-z0-9_-]+)/g)].map((match) => match[1]!);
  if (tokens.length !== 1) throw new Error(`expected one token link in "${mail.subject}", found ${tokens.length}`);
  return tokens[0]!;
}
