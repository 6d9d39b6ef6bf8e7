import type { UserProfile } from '../user-cache.js';
import type { Role } from '../user.entity.js';

/** The public shape of a user. Built field by field, so a password hash can never be serialised. */
export class UserResponse {
  /** @example "3f0c6a52-8d1e-4a7b-9a43-6f0f3f7d9b11" */
  id: string;
  /** @example "ada@example.com" */
  email: string;
  /** @example "Ada Lovelace" */
  name: string | null;
  /** @example ["user"] */
  roles: Role[];
  /** Whether the owner has followed a link mailed to this address. @example false */
  emailVerified: boolean;
  /** A TOTP second factor is on: password login asks for a code. @example false */
  mfaEnabled: boolean;
  /** @example "2026-11-01T08:00:00.000Z" */
  createdAt: Date;
  /** @example "2026-11-30T09:15:00.000Z" */
  updatedAt: Date;

  static from(user: UserProfile): UserResponse {
    const response = new UserResponse();
    response.id = user.id;
    response.email = user.email;
    response.name = user.name;
    response.roles = [...user.roles];
    response.emailVerified = user.emailVerified;
    response.mfaEnabled = user.mfaEnabled;
    response.createdAt = user.createdAt;
    response.updatedAt = user.updatedAt;
    return response;
  }
}
