import { describe, expect, it } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger, httpLogger, PinoLoggerService } from './logger.js';

/** The app's own logger (as main.ts and app.setup.ts make it), writing into a list of lines. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', false, stream), lines };
}

describe('logging', () => {
  it('redacts credentials in request headers and bodies', () => {
    const { logger, lines } = capture();
    logger.info({
      req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=s%3Asecret' } },
      res: { headers: { 'set-cookie': 'sid=s%3Asecret' } },
      body: { password: 'hunter2hunter2', refreshToken: 'rt-secret' },
    });
    expect(lines).toHaveLength(1);
    expect(lines.join('')).not.toMatch(/abc\.def\.ghi|s%3Asecret|hunter2|rt-secret/);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('redacts the parameters of a failed statement logged through Nest', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('duplicate key value'), { parameters: ['$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'] });
    new PinoLoggerService(logger).error(error);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('duplicate key value');
    expect(lines[0]).not.toContain('argon2id');
  });

  it('writes one access line per request, with its id and without its credentials', async () => {
    const { logger, lines } = capture();
    const log = httpLogger(logger);
    const server: Server = createServer((req, res) => {
      log(req, res);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const requestId = await new Promise<string | undefined>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', path: '/api/x', headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=s%3Asecret' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers['x-request-id'] as string | undefined));
        });
        req.on('error', reject);
        req.end();
      });
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ reqId: requestId, req: { method: 'GET', url: '/api/x' }, res: { statusCode: 200 } });
      expect(lines[0]).not.toMatch(/abc\.def\.ghi|s%3Asecret/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps the context of Nest log lines', () => {
    const { logger, lines } = capture();
    new PinoLoggerService(logger).log('Mapped route', 'RouterExplorer');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'Mapped route', context: 'RouterExplorer' });
  });
});
