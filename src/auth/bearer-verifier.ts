import type { AuthUser } from '../auth-decorators/auth-user.js';

/**
 * Verifies a bearer access token and returns its principal, or throws UnauthorizedException.
 * The token module provides it; without one, every bearer token is rejected.
 */
export interface BearerVerifier {
  verify(token: string): Promise<AuthUser>;
}

export const BEARER_VERIFIER = Symbol('BEARER_VERIFIER');
