import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { Repository, type EntityManager } from 'typeorm';
import { sha256Hex } from '../common/hash.js';
import { RecoveryToken, type RecoveryPurpose } from './recovery-token.entity.js';

/** 256 random bits, base64url: URL-safe as it stands in `?token=`. */
export function newRecoveryToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The form a token has; anything else is refused before a query. */
export const RECOVERY_TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/** The only code that touches recovery_tokens. Tokens go in and are looked up by hash only. */
@Injectable()
export class RecoveryTokensService {
  constructor(@InjectRepository(RecoveryToken) private readonly tokens: Repository<RecoveryToken>) {}

  async store(userId: string, purpose: RecoveryPurpose, token: string, ttlMs: number): Promise<void> {
    // The database clock decides expiry, as it decides every other lifetime here.
    await this.tokens.query(
      `INSERT INTO recovery_tokens (user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
      [userId, purpose, sha256Hex(token), ttlMs],
    );
  }

  /** The owner of a token that is valid now (unused, unexpired, of this purpose), or null. */
  async findOwner(purpose: RecoveryPurpose, token: string): Promise<string | null> {
    const rows: Array<{ user_id: string }> = await this.tokens.query(
      `SELECT user_id FROM recovery_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()`,
      [sha256Hex(token), purpose],
    );
    return rows[0]?.user_id ?? null;
  }

  /**
   * Uses the token up, inside the caller's transaction: the owner's id when it was valid, null
   * otherwise. One row update, so two requests with one token never both get the id. Every
   * other open token of the owner for the same purpose ends with it (a reset link used makes
   * older ones worthless).
   */
  async consumeWithin(manager: EntityManager, purpose: RecoveryPurpose, token: string): Promise<string | null> {
    const [rows]: [Array<{ user_id: string }>, number] = await manager.query(
      `UPDATE recovery_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id`,
      [sha256Hex(token), purpose],
    );
    const userId = rows[0]?.user_id ?? null;
    if (userId) {
      await manager.query(
        `UPDATE recovery_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
        [userId, purpose],
      );
    }
    return userId;
  }

  consume(purpose: RecoveryPurpose, token: string): Promise<string | null> {
    return this.tokens.manager.transaction((manager) => this.consumeWithin(manager, purpose, token));
  }

  /** Deletes tokens that can matter no more (expired or used before `before`), at most `batch`. */
  async purge(before: Date, batch: number): Promise<number> {
    const result: unknown = await this.tokens.query(
      `DELETE FROM recovery_tokens WHERE id IN (
         SELECT id FROM recovery_tokens WHERE expires_at < $1 OR used_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, batch],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}
