import type { Request } from 'express';

/** What a login record keeps about the device: its user agent and IP (honouring TRUST_PROXY). */
export function clientInfo(req: Request): { userAgent: string | undefined; ip: string | undefined } {
  return { userAgent: req.get('user-agent'), ip: req.ip };
}
