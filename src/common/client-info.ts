import type { Request } from 'express';

/** What a login record or an audit event keeps about the device: its user agent and IP (honouring TRUST_PROXY). */
export function clientInfo(req: Request): { userAgent: string | undefined; ip: string | undefined } {
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; people read a.b.c.d.
  return { userAgent: req.get('user-agent'), ip: req.ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '') };
}
