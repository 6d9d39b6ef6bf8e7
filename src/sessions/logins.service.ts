import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Subject } from 'rxjs';
import { IsNull, Not, Repository, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { EntityRows } from '../common/entity-rows.js';
import type { SqlCondition } from '../common/sql-condition.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { Login, type LoginKind } from './login.entity.js';

export interface NewLogin {
  userId: string;
  kind: LoginKind;
  /** Idle lifetime from now (sessions: SESSION_IDLE_TTL; tokens: JWT_REFRESH_TTL). */
  idleTtlMs: number;
  absoluteTtlMs: number;
  userAgent?: string | undefined;
  ip?: string | undefined;
  /** The login proved a second factor too. */
  mfa?: boolean;
}

/** What is announced when logins end, so every other part (and instance) can act on it. */
export interface Revocation {
  loginIds: string[];
  /** Those of them that are cookie sessions (their store entries go too). */
  sessionLoginIds: string[];
}

export type RevocationReason =
  | 'logout'
  | 'device'
  | 'other-devices'
  | 'password.changed'
  | 'password.reset'
  | 'user.deleted'
  | 'token.reuse_detected'
  | 'login.limit'
  | 'operator';

/** Logins revoked inside a caller's transaction, to `announce` once it has committed. */
export interface RevokedLogins {
  reason: RevocationReason;
  logins: Array<{ id: string; userId: string; kind: LoginKind }>;
}

/**
 * The one rule for an active login, as a condition on the logins table: not revoked, and neither
 * its idle nor its absolute expiry reached at `at` (a parameter for this instance's clock, or
 * `now()` for the database's).
 */
const activeAt = (at: string) => `revoked_at IS NULL AND expires_at > ${at} AND absolute_expires_at > ${at}`;

/** The login registry: the only code that writes the logins table. */
@Injectable()
export class LoginsService {
  private readonly revocations = new Subject<Revocation>();
  /** Emits after logins are revoked, once the database says so. */
  readonly revoked$ = this.revocations.asObservable();

  private readonly maxPerUser: number;
  private readonly rows: EntityRows<Login>;

  constructor(
    @InjectRepository(Login) private readonly logins: Repository<Login>,
    private readonly audit: AuditService,
    @Inject(ConfigService) config: AppConfigService,
  ) {
    this.maxPerUser = config.get('logins.maxPerUser', { infer: true });
    this.rows = new EntityRows(logins);
  }

  /**
   * Records a login, only if `onlyIf` holds (the credentials checked are still current, and stay
   * so until the login is committed); null, with nothing recorded, when it does not. Past
   * MAX_LOGINS_PER_USER active logins, the least recently used ones end. All of it is one
   * statement: one round trip, atomic without a transaction of its own.
   */
  async create(login: NewLogin, onlyIf?: SqlCondition): Promise<Login | null> {
    const now = new Date();
    const absoluteExpiresAt = new Date(now.getTime() + login.absoluteTtlMs);
    const row = {
      userId: login.userId,
      kind: login.kind,
      lastUsedAt: now,
      authenticatedAt: now,
      mfa: login.mfa ?? false,
      expiresAt: new Date(Math.min(now.getTime() + login.idleTtlMs, absoluteExpiresAt.getTime())),
      absoluteExpiresAt,
      userAgent: login.userAgent?.slice(0, 512) ?? null,
      ip: login.ip?.slice(0, 64) ?? null,
    };
    const values: unknown[] = [];
    const parameter = (value: unknown) => `$${values.push(value)}`;
    const userId = parameter(row.userId);
    const at = parameter(now);
    // The eviction reads the statement's snapshot: it never sees the login being created, so
    // `keep` leaves room for it. It evicts only when the login was created.
    const rows: Array<{ id: string; created_at: Date | string; evicted: RevokedLogins['logins'] }> =
      await this.logins.query(
        `WITH created AS (
           INSERT INTO logins (user_id, kind, last_used_at, authenticated_at, mfa, expires_at, absolute_expires_at, user_agent, ip)
           SELECT ${userId}::uuid, ${parameter(row.kind)}, ${at}::timestamptz, ${at}::timestamptz,
                  ${parameter(row.mfa)}::boolean, ${parameter(row.expiresAt)}::timestamptz,
                  ${parameter(absoluteExpiresAt)}::timestamptz, ${parameter(row.userAgent)}, ${parameter(row.ip)}
            WHERE ${onlyIf ? onlyIf(parameter) : 'true'}
           RETURNING id, created_at
         ), evicted AS (
           UPDATE logins SET revoked_at = now()
            WHERE id IN (SELECT id FROM logins
                          WHERE user_id = ${userId}::uuid AND EXISTS (SELECT 1 FROM created)
                            AND ${activeAt('now()')}
                          ORDER BY last_used_at DESC, created_at DESC OFFSET ${parameter(this.maxPerUser - 1)}::int)
              AND revoked_at IS NULL
           RETURNING id, user_id AS "userId", kind
         )
         SELECT created.id, created.created_at,
                (SELECT COALESCE(json_agg(evicted), '[]'::json) FROM evicted) AS evicted
           FROM created`,
        values,
      );
    const created = rows[0];
    if (!created) return null;
    this.announce({ reason: 'login.limit', logins: created.evicted });
    return this.logins.create({ ...row, id: created.id, createdAt: new Date(created.created_at), revokedAt: null });
  }

  /** The login if it is active on this instance's clock. */
  async findActive(id: string): Promise<Login | null> {
    const rows: Array<Record<string, unknown>> = await this.logins.query(
      `SELECT ${this.rows.columns} FROM logins WHERE id = $1 AND ${activeAt('$2')}`,
      [id, new Date()],
    );
    return rows[0] ? this.rows.from(rows[0]) : null;
  }

  /**
   * Records use of an active login (on this instance's clock) and answers it as updated; null,
   * with nothing written, when it is not active. One statement (a refresh's check and record
   * of use); inside the caller's transaction when given its manager.
   */
  useIfActive(id: string, manager?: Pick<EntityManager, 'query'>): Promise<Login | null> {
    return this.updateIfActive(id, 'last_used_at = now()', [], manager);
  }

  /**
   * Step-up: the login proved the password (and `mfa`, a second factor) now. Null, with nothing
   * written, when it is no longer active; otherwise the login as updated. Inside the caller's
   * transaction when given its manager.
   */
  markProven(id: string, mfa: boolean, manager?: Pick<EntityManager, 'query'>): Promise<Login | null> {
    return this.updateIfActive(id, 'authenticated_at = now(), mfa = $3', [mfa], manager);
  }

  /** One UPDATE … RETURNING of an active login: `set` may use $3 onwards, from `values`. */
  private async updateIfActive(
    id: string,
    set: string,
    values: unknown[],
    manager: Pick<EntityManager, 'query'> = this.logins.manager,
  ): Promise<Login | null> {
    // In a CTE: TypeORM answers an UPDATE's rows together with its count, a SELECT's alone.
    const rows: Array<Record<string, unknown>> = await manager.query(
      `WITH updated AS (
         UPDATE logins SET ${set} WHERE id = $1 AND ${activeAt('$2')} RETURNING ${this.rows.columns}
       )
       SELECT * FROM updated`,
      [id, new Date(), ...values],
    );
    return rows[0] ? this.rows.from(rows[0]) : null;
  }

  /** When an active login last proved the password, for `@Fresh()` routes; null when it is not active. */
  async provenAt(id: string): Promise<Date | null> {
    return (await this.findActive(id))?.authenticatedAt ?? null;
  }

  /** Whose login this is, revoked or not (null once purged). */
  async findOwner(id: string): Promise<string | null> {
    return (await this.logins.findOneBy({ id }))?.userId ?? null;
  }

  /** Active logins of a user, most recently used first. */
  listActive(userId: string): Promise<Login[]> {
    return this.logins
      .createQueryBuilder('l')
      .where(`l.user_id = :userId AND ${activeAt('now()')}`, { userId })
      .orderBy('l.last_used_at', 'DESC')
      .getMany();
  }

  /**
   * Logins revoked at or after `since`: the start-up load of the token revocation list. Those of
   * deleted users are gone with them, so their tombstones are read too.
   */
  async listRevokedSince(since: Date): Promise<Array<{ id: string; revokedAt: Date }>> {
    const rows: Array<{ id: string; revoked_at: Date | string }> = await this.logins.query(
      `SELECT id, revoked_at FROM logins WHERE revoked_at >= $1
       UNION ALL SELECT login_id, revoked_at FROM login_tombstones WHERE revoked_at >= $1`,
      [since],
    );
    return rows.map((row) => ({ id: row.id, revokedAt: new Date(row.revoked_at) }));
  }

  /** Records use and pushes the idle expiry forward, never past the absolute one. */
  async touch(id: string, idleTtlMs: number): Promise<void> {
    await this.logins
      .createQueryBuilder()
      .update()
      .set({
        lastUsedAt: () => 'now()',
        expiresAt: () => `LEAST(now() + make_interval(secs => :idle), absolute_expires_at)`,
      })
      .where('id = :id AND revoked_at IS NULL')
      .setParameters({ id, idle: idleTtlMs / 1000 })
      .execute();
  }

  /** Sets "last used" to now for active logins (batched use of token logins). */
  async markUsed(ids: string[]): Promise<void> {
    await this.logins
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: () => 'now()' })
      .where('id IN (:...ids) AND revoked_at IS NULL', { ids })
      .execute();
  }

  /** Revokes one login of a user; false when it is unknown, someone else's or already ended. */
  async revoke(userId: string, loginId: string, reason: RevocationReason): Promise<boolean> {
    return (await this.revokeWhere({ userId, id: loginId }, reason)) > 0;
  }

  /** Revokes a login whoever owns it (logout by refresh token, theft detection). */
  async revokeById(loginId: string, reason: RevocationReason): Promise<boolean> {
    return (await this.revokeWhere({ id: loginId }, reason)) > 0;
  }

  /** Revokes every active login of a user except `keepLoginId` (none kept when omitted). */
  async revokeAllExcept(userId: string, reason: RevocationReason, keepLoginId?: string): Promise<number> {
    return this.announce(await this.revokeAllExceptWithin(this.logins.manager, userId, reason, keepLoginId));
  }

  /**
   * As `revokeAllExcept`, inside the caller's transaction. Nothing is announced: the caller
   * passes the result to `announce` once the transaction has committed, so no instance acts on
   * a revocation that could still roll back.
   */
  revokeAllExceptWithin(
    manager: EntityManager,
    userId: string,
    reason: RevocationReason,
    keepLoginId?: string,
  ): Promise<RevokedLogins> {
    return this.revokeRows(manager, { userId, ...(keepLoginId ? { id: Not(keepLoginId) } : {}) }, reason);
  }

  /**
   * For a user about to be deleted, inside the deletion's transaction: revokes every login and
   * keeps a tombstone (login id and revocation time, nothing personal) of each, so instances
   * that start after the rows are gone still reject the access tokens. `announce` the result
   * once committed.
   */
  async revokeForDeletionWithin(manager: EntityManager, userId: string): Promise<RevokedLogins> {
    const revoked = await this.revokeAllExceptWithin(manager, userId, 'user.deleted');
    await manager.query(
      `INSERT INTO login_tombstones (login_id, revoked_at)
       SELECT id, revoked_at FROM logins WHERE user_id = $1 ON CONFLICT (login_id) DO NOTHING`,
      [userId],
    );
    return revoked;
  }

  /** Tells every part (and instance) that these logins ended, and audits each; returns how many. */
  announce({ reason, logins }: RevokedLogins): number {
    if (logins.length > 0) {
      this.revocations.next({
        loginIds: logins.map((login) => login.id),
        sessionLoginIds: logins.filter((login) => login.kind === 'session').map((login) => login.id),
      });
    }
    for (const login of logins) {
      this.audit.record({
        type: 'login.revoked',
        userId: login.userId,
        loginId: login.id,
        mode: login.kind,
        details: { reason },
      });
    }
    return logins.length;
  }

  /**
   * Deletes logins that can matter no more, at most `batch` of them (their sessions and refresh
   * tokens go with them): ended ones, and revoked ones once no access token of theirs can still
   * be valid (`revokedBefore`). SKIP LOCKED lets several instances purge at once.
   */
  async purge(revokedBefore: Date, batch: number): Promise<number> {
    const result: unknown = await this.logins.query(
      `DELETE FROM logins WHERE id IN (
         SELECT id FROM logins
          WHERE revoked_at < $1 OR (revoked_at IS NULL AND (expires_at < now() OR absolute_expires_at < now()))
          LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [revokedBefore, batch],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }

  /** Deletes tombstones older than `revokedBefore` (no access token of theirs is valid), at most `batch`. */
  async purgeTombstones(revokedBefore: Date, batch: number): Promise<number> {
    const result: unknown = await this.logins.query(
      `DELETE FROM login_tombstones WHERE login_id IN (
         SELECT login_id FROM login_tombstones WHERE revoked_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [revokedBefore, batch],
    );
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }

  private async revokeWhere(where: RevokeWhere, reason: RevocationReason): Promise<number> {
    return this.announce(await this.revokeRows(this.logins.manager, where, reason));
  }

  private async revokeRows(
    manager: EntityManager,
    where: RevokeWhere,
    reason: RevocationReason,
  ): Promise<RevokedLogins> {
    const result = await manager
      .createQueryBuilder()
      .update(Login)
      .set({ revokedAt: () => 'now()' })
      .where({ ...where, revokedAt: IsNull() })
      .returning(['id', 'userId', 'kind'])
      .execute();
    const rows = (result.raw ?? []) as Array<{ id: string; user_id: string; kind: LoginKind }>;
    return { reason, logins: rows.map((row) => ({ id: row.id, userId: row.user_id, kind: row.kind })) };
  }
}

type RevokeWhere = { userId?: string; id?: string | ReturnType<typeof Not<string>> };
