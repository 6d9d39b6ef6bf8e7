import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** What the verifier pins. Everything else comes from the issuer's JWKS, fetched over HTTP. */
export interface ResourceServerOptions {
  /** The issuing service's key set, e.g. https://auth.example.com/.well-known/jwks.json. */
  jwksUrl: URL;
  /** Must equal the issuer's JWT_ISSUER. */
  issuer: string;
  /** Must equal the issuer's JWT_AUDIENCE. */
  audience: string;
  /**
   * How long a fetched key set is used before it is fetched again. The issuer serves it with
   * `Cache-Control: max-age=300`, hence 5 min; it is also how long a retired key still verifies here.
   */
  cacheMaxAgeMs?: number;
  /**
   * The least time between two fetches. A token with an unknown `kid` triggers a refetch only
   * once this has passed since the last one, so a stream of made-up kids cannot hammer the issuer.
   */
  cooldownMs?: number;
  /** Leeway on `exp`/`nbf`/`iat` for clock skew (the issuer's JWT_CLOCK_TOLERANCE default). */
  clockToleranceSec?: number;
  /** Give up on a key set fetch after this long. */
  fetchTimeoutMs?: number;
}

/** RFC 9068 access token media type: an ID token or any other JWT of the issuer is refused. */
const ACCESS_TOKEN_TYPE = 'at+jwt';
const REALM = 'resource-server';
/** RFC 6750 §2.1: `Bearer` and a token68. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The request handler: GET /whoami answers who the bearer token says the caller is, or 401 with
 * an RFC 6750 challenge. Verification is jose's `jwtVerify` against `createRemoteJWKSet`, which
 * caches the key set and refetches it on an unknown `kid` (after the cooldown).
 */
export function createResourceHandler(
  options: ResourceServerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const keySet = createRemoteJWKSet(options.jwksUrl, {
    cacheMaxAge: options.cacheMaxAgeMs ?? 300_000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    timeoutDuration: options.fetchTimeoutMs ?? 5_000,
  });

  // The issuer names its key in every token; without a kid jose would try whichever key fits.
  const keyNamedByToken: JWTVerifyGetKey = async (header, token) => {
    if (typeof header.kid !== 'string') throw new errors.JWSInvalid('Token names no key');
    return keySet(header, token);
  };

  async function verify(token: string): Promise<{ payload: JWTPayload; kid: string | undefined }> {
    const { payload, protectedHeader } = await jwtVerify(token, keyNamedByToken, {
      issuer: options.issuer,
      audience: options.audience,
      algorithms: ['ES256'],
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      clockTolerance: options.clockToleranceSec ?? 5,
    });
    return { payload, kid: protectedHeader.kid };
  }

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/whoami') return send(res, 404, { message: 'Not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { message: 'Method not allowed' }, { Allow: 'GET, HEAD' });
    const match = BEARER.exec(req.headers.authorization ?? '');
    // RFC 6750 §3.1: a request without a bearer token gets the challenge without an error code.
    if (!match?.[1])
      return send(res, 401, { message: 'Bearer token required' }, { 'WWW-Authenticate': `Bearer realm="${REALM}"` });
    verify(match[1]).then(
      ({ payload, kid }) => send(res, 200, { sub: payload.sub, roles: payload.roles ?? [], exp: payload.exp, kid }),
      (error: unknown) => {
        if (keySetUnavailable(error)) {
          // The token may be fine: the issuer could not be asked. Not the caller's fault, so not a 401.
          console.error(`key set unavailable: ${error instanceof Error ? error.message : String(error)}`);
          return send(res, 503, { message: 'Key set unavailable' }, { 'Retry-After': '5' });
        }
        // The reason goes to the caller in broad terms only (RFC 6750 §3.1 invalid_token).
        const description = error instanceof errors.JWTExpired ? 'The token has expired' : 'The token is not valid';
        send(
          res,
          401,
          { message: description },
          { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"` },
        );
      },
    );
  };
}

/**
 * A fetch of the key set failed (issuer unreachable, timeout, not 200, not a key set): jose
 * reports those as a timeout, an invalid set, its generic error, or the fetch's own TypeError.
 */
function keySetUnavailable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return (
    error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === 'ERR_JOSE_GENERIC'
  );
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(json);
}

export interface RunningResourceServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the handler on `host:port` (port 0: any free one). */
export async function startResourceServer(
  options: ResourceServerOptions,
  port = 0,
  host = '127.0.0.1',
): Promise<RunningResourceServer> {
  const server = createServer(createResourceHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
