import type { Login, LoginKind } from '../login.entity.js';
import { deviceName } from '../device-name.js';

/** One login of the caller, of either kind. `id` is the login record's id — never a credential. */
export class DeviceResponse {
  id: string;
  /** @example "session" */
  kind: LoginKind;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  /** The raw User-Agent header. */
  userAgent: string | null;
  /** The user agent as a person reads it. @example "Firefox 133 on macOS" */
  device: string | null;
  ip: string | null;
  /** True for the login making this request. */
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
    response.current = login.id === currentLoginId;
    return response;
  }
}
