import type { AuthMode } from '../../auth-decorators/index.js';

export class ViaResponse {
  /**
   * Which mechanism authenticated the request: "session", "jwt", or null on a public route.
   * @example "jwt"
   */
  via: AuthMode | null;
}

export class WhoResponse extends ViaResponse {
  /** @example "3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b11" */
  userId: string;
}
