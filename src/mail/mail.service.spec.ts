import { afterEach, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfigService } from '../config/config.module.js';
import { linkMessage } from './link-message.js';
import { MailService } from './mail.service.js';

function config(dataDir: string): AppConfigService {
  const values: Record<string, unknown> = {
    mail: { smtpUrl: undefined, from: 'App <no-reply@example.com>' },
    'app.dataDir': dataDir,
  };
  return { get: (key: string) => values[key] } as unknown as AppConfigService;
}

describe('MailService without SMTP_URL (the outbox)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('writes each message as a complete RFC 5322 file, private to the service, one per message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nda-mail-'));
    dirs.push(dataDir);
    const mail = new MailService(config(dataDir));
    const parts = linkMessage({
      intro: 'Hello <you>',
      action: 'Open',
      url: 'https://app.example/x?token=abc_-1',
      outro: 'Bye',
    });
    const first = await mail.send({ to: 'ada@example.com', subject: 'Test', ...parts });
    await mail.send({ to: 'bob@example.com', subject: 'Test 2', ...parts });
    expect(first.via).toBe('outbox');
    const file = first.via === 'outbox' ? first.file : '';
    expect(readdirSync(join(dataDir, 'outbox')).sort()).toHaveLength(2);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(statSync(join(dataDir, 'outbox')).mode & 0o077).toBe(0);
    const raw = readFileSync(file, 'utf8');
    expect(raw).toMatch(/^To: ada@example\.com\r$/m);
    expect(raw).toMatch(/^From: App <no-reply@example\.com>\r$/m);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/\n/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Test');
    expect(parsed.text).toContain('https://app.example/x?token=abc_-1');
    expect(parsed.html).toContain('href="https://app.example/x?token=abc_-1"');
    expect(parsed.html).toContain('Hello &lt;you&gt;');
  });
});
