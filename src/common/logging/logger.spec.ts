import { describe, expect, it } from '@jest/globals';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger, httpLogger, PinoLoggerService } from './logger.js';

/** The app's own logger (as main.ts and app.setup.ts make it), writing into a list of lines. */
function capture(level = 'info') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger(level, false, stream), lines };
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
    const error = Object.assign(new Error('duplicate key value'), {
      parameters: ['$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'],
    });
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
        const req = request(
          {
            port,
            host: '127.0.0.1',
            path: '/api/x',
            headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=s%3Asecret' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.headers['x-request-id'] as string | undefined));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
        reqId: requestId,
        req: { method: 'GET', url: '/api/x' },
        res: { statusCode: 200 },
      });
      expect(lines[0]).not.toMatch(/abc\.def\.ghi|s%3Asecret/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('access log', () => {
    /** A server whose every request goes through the access log, then `handle`. */
    async function serve(level: string, handle: (req: IncomingMessage, res: ServerResponse) => void) {
      const { logger, lines } = capture(level);
      const log = httpLogger(logger);
      const server = createServer((req, res) => {
        log(req, res);
        handle(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return { lines, port, close: () => new Promise((resolve) => server.close(resolve)) };
    }
    function get(port: number, path: string) {
      return new Promise<number | undefined>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', path }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        req.end();
      });
    }
    /** The line is written on the response's `close`, a tick after the client may have it all. */
    async function settle() {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    it('writes the line when the response is done, not when the request comes in', async () => {
      let ended = false;
      const s = await serve('info', (_req, res) => {
        res.write('part');
        setTimeout(() => {
          ended = true;
          res.end();
        }, 60);
      });
      try {
        const done = get(s.port, '/slow');
        await new Promise((resolve) => setTimeout(resolve, 30));
        expect(ended).toBe(false);
        expect(s.lines).toHaveLength(0);
        await done;
        await settle();
        expect(s.lines).toHaveLength(1);
        const line = JSON.parse(s.lines[0] ?? '{}');
        expect(line).toMatchObject({ msg: 'request completed', req: { url: '/slow' }, res: { statusCode: 200 } });
        expect(line.responseTime).toBeGreaterThanOrEqual(50);
      } finally {
        await s.close();
      }
    });

    it('at warn writes client and server errors only, each at its level', async () => {
      const s = await serve('warn', (req, res) => {
        res.statusCode = Number(req.url?.slice(1));
        res.end();
      });
      try {
        expect([
          await get(s.port, '/200'),
          await get(s.port, '/302'),
          await get(s.port, '/404'),
          await get(s.port, '/503'),
        ]).toEqual([200, 302, 404, 503]);
        await settle();
        expect(
          s.lines.map((line) => JSON.parse(line) as { level: number; msg: string; res: { statusCode: number } }),
        ).toEqual([
          expect.objectContaining({ level: 40, msg: 'request completed', res: { statusCode: 404 } }),
          expect.objectContaining({ level: 50, msg: 'request errored', res: { statusCode: 503 } }),
        ]);
      } finally {
        await s.close();
      }
    });

    it('writes an error line for a request the client gave up on', async () => {
      const s = await serve('warn', () => {
        // never answers
      });
      try {
        await new Promise<void>((resolve) => {
          const req = request({ port: s.port, host: '127.0.0.1', path: '/hang' });
          req.on('error', () => resolve());
          req.end();
          setTimeout(() => req.destroy(), 30);
        });
        await settle();
        expect(s.lines).toHaveLength(1);
        expect(JSON.parse(s.lines[0] ?? '{}')).toMatchObject({
          level: 50,
          msg: 'request aborted',
          req: { url: '/hang' },
        });
      } finally {
        await s.close();
      }
    });
  });

  it('keeps the context of Nest log lines', () => {
    const { logger, lines } = capture();
    new PinoLoggerService(logger).log('Mapped route', 'RouterExplorer');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'Mapped route', context: 'RouterExplorer' });
  });
});
