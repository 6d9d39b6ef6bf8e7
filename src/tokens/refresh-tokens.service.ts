import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Repository, type EntityManager } from 'typeorm';
import { sha256Hex } from '../common/hash.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { RefreshToken } from './refresh-token.entity.js';

export type Redemption<T = unknown> =
  /** Spent; `next` is its successor, valid until the same (family) expiry; `alongside` what the caller's work returned. */
  | { outcome: 'redeemed'; loginId: string; next: string; expiresAt: Date; alongside: T }
  /** Used within JWT_REFRESH_REUSE_GRACE: two tabs refreshing at once. 401, but no theft alarm. */
  | { outcome: 'raced'; loginId: string }
  /** Used earlier: someone replays a retired token. The login must be revoked. */
  | { outcome: 'reused'; loginId: string }
  /** Live, but `alongside` answered null (its login has ended): nothing was spent or written. */
  | { outcome: 'refused'; loginId: string }
  | { outcome: 'invalid' };

type Redeemed<T> = Extract<Redemption<T>, { outcome: 'redeemed' }>;

/** Thrown inside the rotation's transaction to roll it back when `alongside` refuses. */
class Refused extends Error {
  constructor(readonly loginId: string) {
    super('refresh refused');
  }
}

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

/**
 * How long a refresh whose COMMIT went unanswered (the connection was lost) may spend asking
 * whether it committed, before it answers 503 as if it had not; and the pause between tries.
 */
const COMMIT_OUTCOME_WAIT_MS = 1_000;
const COMMIT_OUTCOME_PAUSE_MS = 200;

/**
 * Takes the row lock of the login `idExpression` names, first in every transaction that spends or
 * retires a login's refresh tokens: they then run one after another per login, always locking
 * the login before its tokens (one order, so no deadlock).
 */
async function lockLogin(em: EntityManager, idExpression: string, parameter: string): Promise<void> {
  await em.query(`SELECT id FROM logins WHERE id = ${idExpression} FOR NO KEY UPDATE`, [parameter]);
}

/** A new 256-bit token, and its hash: all the database keeps of it. */
function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256Hex(token) };
}

/**
 * Adds a new token to a login and answers it. On every login, so a plain statement: TypeORM's
 * insert builder took several times its CPU (building the query, then reading back the
 * generated columns).
 */
async function addToken(db: Pick<EntityManager, 'query'>, loginId: string, expiresAt: Date): Promise<string> {
  const { token, hash } = newToken();
  await db.query(`INSERT INTO refresh_tokens (login_id, token_hash, expires_at) VALUES ($1, $2, $3)`, [
    loginId,
    hash,
    expiresAt,
  ]);
  return token;
}

/** The only code that touches the refresh_tokens table. */
@Injectable()
export class RefreshTokensService {
  private readonly logger = new Logger(RefreshTokensService.name);
  private readonly reuseGraceMs: number;

  constructor(
    @InjectRepository(RefreshToken) private readonly tokens: Repository<RefreshToken>,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.reuseGraceMs = config.get('jwt.refreshReuseGraceMs', { infer: true });
  }

  /** A new 256-bit token for a login; only its hash is stored. */
  issue(loginId: string, expiresAt: Date): Promise<string> {
    return addToken(this.tokens.manager, loginId, expiresAt);
  }

  /**
   * Spends a token and issues its successor in one transaction. One conditional UPDATE
   * (compare-and-swap on "not yet used") decides, so of any number of concurrent presentations
   * exactly one is redeemed; a crash before commit leaves the old token usable. `alongside`
   * runs in the same transaction with the login id: whatever else a refresh reads or writes, so
   * that nothing is left to fail between the commit and the answer. When it answers null (the
   * login has ended), the transaction rolls back: a refused refresh changes nothing.
   */
  async rotate<T>(
    token: string,
    alongside: (manager: EntityManager, loginId: string) => Promise<T | null>,
  ): Promise<Redemption<T>> {
    if (!TOKEN_FORMAT.test(token)) return { outcome: 'invalid' };
    const tokenHash = sha256Hex(token);
    const redeemed = await this.redeem(tokenHash, alongside).catch((error: unknown) => {
      if (error instanceof Refused) return { outcome: 'refused' as const, loginId: error.loginId };
      throw error;
    });
    if (redeemed) return redeemed;

    // used_at is the database's clock: the grace is measured on that clock too, so an app
    // instance whose clock is off neither stretches it nor logs racing tabs out.
    const known = await this.tokens
      .createQueryBuilder('t')
      .select('t.login_id', 'loginId')
      .addSelect('now() - t.used_at < make_interval(secs => :graceSeconds)', 'raced')
      .where('t.token_hash = :tokenHash AND t.used_at IS NOT NULL', {
        tokenHash,
        graceSeconds: this.reuseGraceMs / 1000,
      })
      .getRawOne<{ loginId: string; raced: boolean }>();
    if (!known) return { outcome: 'invalid' }; // unknown, or expired unused
    return { outcome: known.raced ? 'raced' : 'reused', loginId: known.loginId };
  }

  /**
   * The rotation's transaction: null when the token is not live; throws Refused to roll back.
   * When the transaction fails once its work is done, its COMMIT may have gone through with
   * only the answer lost (a connection reset): the client, told 503, would then hold a spent
   * token and be logged out. The successor's row, written by this transaction alone, shows that
   * it committed; it is looked for once the failed transaction has let go of its connection,
   * for up to COMMIT_OUTCOME_WAIT_MS. Not finding it is no proof: a COMMIT still on its way can
   * land after the 503, as it always could. (PostgreSQL's txid_status() answers the same
   * question, but needs the transaction id read beforehand: one more round trip per refresh.)
   */
  private async redeem<T>(
    tokenHash: string,
    alongside: (manager: EntityManager, loginId: string) => Promise<T | null>,
  ): Promise<Redeemed<T> | null> {
    const next = newToken();
    let done: Redeemed<T> | undefined;
    try {
      return await this.tokens.manager.transaction(async (em) => {
        // Inside a transaction only its own manager: the embedded database has one connection.
        await lockLogin(em, `(SELECT login_id FROM refresh_tokens WHERE token_hash = $1)`, tokenHash);
        // Spends the token and adds its successor, which expires with it, in one statement.
        const rows: Array<{ loginId: string; expiresAt: Date | string }> = await em.query(
          `WITH spent AS (
             UPDATE refresh_tokens SET used_at = now()
              WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
             RETURNING login_id, expires_at
           ), successor AS (
             INSERT INTO refresh_tokens (login_id, token_hash, expires_at) SELECT login_id, $2, expires_at FROM spent
           )
           SELECT login_id AS "loginId", expires_at AS "expiresAt" FROM spent`,
          [tokenHash, next.hash],
        );
        const row = rows[0];
        if (!row) return null;
        const along = await alongside(em, row.loginId);
        if (along === null) throw new Refused(row.loginId);
        done = {
          outcome: 'redeemed',
          loginId: row.loginId,
          next: next.token,
          expiresAt: new Date(row.expiresAt),
          alongside: along,
        };
        return done;
      });
    } catch (error) {
      if (!done || !(await this.stored(next.hash))) throw error;
      this.logger.warn(`A refresh's COMMIT went unanswered (${(error as Error).message}); it had committed`);
      return done;
    }
  }

  /**
   * Whether a token with this hash is stored, asked until the database answers; false when it
   * has not within COMMIT_OUTCOME_WAIT_MS (no new try starts after that).
   */
  private async stored(tokenHash: string): Promise<boolean> {
    const expiry = AbortSignal.timeout(COMMIT_OUTCOME_WAIT_MS);
    const ask = async (): Promise<boolean> => {
      while (!expiry.aborted) {
        try {
          const rows: unknown[] = await this.tokens.query('SELECT 1 FROM refresh_tokens WHERE token_hash = $1', [
            tokenHash,
          ]);
          return rows.length > 0;
        } catch {
          await sleep(COMMIT_OUTCOME_PAUSE_MS, undefined, { signal: expiry }).catch(() => undefined);
        }
      }
      return false;
    };
    const expired = new Promise<false>((resolve) =>
      expiry.addEventListener('abort', () => resolve(false), { once: true }),
    );
    return Promise.race([ask(), expired]);
  }

  /**
   * Retires every live token of a login, as if each had been used now (a later use is reuse),
   * and issues the one token that stays live, expiring with the login, in one transaction.
   * `alongside` runs in it first, right after the login's row lock: the step-up's own write, and
   * the check that the login is still active. When it answers null, nothing is written and null
   * is answered; a revocation waits for the lock, so no token is issued to an ended login. The
   * lock also orders it with `rotate`: a refresh under way finishes first and the successor it
   * issued is retired here too, or it starts after and finds its token retired. Without the
   * lock, an UPDATE that waited for such a refresh would not see the successor it inserted, and
   * the login would keep two live tokens.
   */
  async replaceAll<T extends { absoluteExpiresAt: Date }>(
    loginId: string,
    alongside: (manager: EntityManager) => Promise<T | null>,
  ): Promise<{ token: string; alongside: T } | null> {
    return this.tokens.manager.transaction(async (em) => {
      await lockLogin(em, '$1', loginId);
      const along = await alongside(em);
      if (along === null) return null;
      await em
        .createQueryBuilder()
        .update(RefreshToken)
        .set({ usedAt: () => 'now()' })
        .where('login_id = :loginId AND used_at IS NULL', { loginId })
        .execute();
      return { token: await addToken(em, loginId, along.absoluteExpiresAt), alongside: along };
    });
  }

  /**
   * The login a token may end (logout), without spending it: the live token, or one a refresh
   * retired within JWT_REFRESH_REUSE_GRACE (by the database clock), so that a logout racing a
   * refresh of the same token still ends the login instead of leaving it to the successor.
   */
  async findForLogout(token: string): Promise<string | null> {
    if (!TOKEN_FORMAT.test(token)) return null;
    const rows: Array<{ loginId: string }> = await this.tokens.query(
      `SELECT login_id AS "loginId" FROM refresh_tokens
        WHERE token_hash = $1 AND expires_at > now()
          AND (used_at IS NULL OR now() - used_at < make_interval(secs => $2))`,
      [sha256Hex(token), this.reuseGraceMs / 1000],
    );
    return rows[0]?.loginId ?? null;
  }
}
