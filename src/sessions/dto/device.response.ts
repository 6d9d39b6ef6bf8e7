import type { Login, LoginKind } from '../login.entity.js';
import { deviceName } from '../device-name.js';

/** One login of the caller, of either kind. `id` is the login record's id — never a credential. */
export class DeviceResponse {
  /** @example "7d1f3a90-2b4c-4e6d-8f01-a2b3c4d5e6f7" */
  id: string;
  /** @example "session" */
  kind: LoginKind;
  /** @example "2026-11-30T09:00:00.000Z" */
  createdAt: Date;
  /** @example "2026-11-30T09:15:00.000Z" */
  lastUsedAt: Date;
  /** @example "2026-12-07T09:15:00.000Z" */
  expiresAt: Date;
  /**
   * The raw User-Agent header.
   * @example "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0"
   */
  userAgent: string | null;
  /** The user agent as a person reads it. @example "Firefox 133 on macOS" */
  device: string | null;
  /** @example "203.0.113.7" */
  ip: string | null;
  /** The login's last proof included a second factor (TOTP or a recovery code). @example false */
  mfa: boolean;
  /** True for the login making this request. @example true */
  current: boolean;

  static from(login: Login, currentLoginId: string): DeviceResponse {
    const response = new DeviceResponse();
    response.id = login.id;
    response.kind = login.kind;
    response.createdAt = login.createdAt;
    response.lastUsedAt = login.lastUsedAt;
    response.expiresAt = login.expiresAt < login.absoluteExpiresAt ? login.expiresAt : login.absoluteExpiresAt;
    response.userAgent = login.userAgent;
    response.device = deviceName(login.userAgent);
    response.ip = login.ip;
    response.mfa = login.mfa;
    response.current = login.id === currentLoginId;
    return response;
  }
}
