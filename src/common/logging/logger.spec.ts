import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { PinoLoggerService, REDACT_PATHS } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream), lines };
}

describe('logging', () => {
  it('redacts credentials in request headers and bodies', () => {
    const { logger, lines } = capture();
    logger.info({
      req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=s%3Asecret' } },
      res: { headers: { 'set-cookie': 'sid=s%3Asecret' } },
      body: { password: 'hunter2hunter2', refreshToken: 'rt-secret' },
    });
    expect(lines.join('')).not.toMatch(/abc\.def\.ghi|s%3Asecret|hunter2|rt-secret/);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('keeps the context of Nest log lines', () => {
    const { logger, lines } = capture();
    new PinoLoggerService(logger).log('Mapped route', 'RouterExplorer');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'Mapped route', context: 'RouterExplorer' });
  });
});
