import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Subject } from 'rxjs';
import {
  QueryFailedError,
  Repository,
  type EntityManager,
  type EntitySubscriberInterface,
  type QueryRunner,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import { EntityRows } from '../common/entity-rows.js';
import type { SqlCondition } from '../common/sql-condition.js';
import { normalizeEmail } from './email.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { UserCache, type UserProfile } from './user-cache.js';
import { User, type Role } from './user.entity.js';

const UNIQUE_VIOLATION = '23505';
/** Where a transaction keeps the ids of the users it changed, until it ends (QueryRunner.data). */
const CHANGED_USERS = 'changedUsers';
/** Every column but the password hash: what the cache holds. */
const PROFILE_COLUMNS = {
  id: true,
  email: true,
  name: true,
  credentialsVersion: true,
  emailVerified: true,
  roles: true,
  mfaEnabled: true,
  createdAt: true,
  updatedAt: true,
} as const;

export interface NewUser {
  email: string;
  password: string;
  name?: string | null;
  /** Default: `['user']`. */
  roles?: Role[];
  /** Default: false; true for an account whose address an operator vouched for (ADMIN_EMAIL). */
  emailVerified?: boolean;
}

/**
 * The only code that touches the users table. Users are cached by id (UserCache): every change
 * made here evicts the user once it has committed (or may have: a lost answer counts too), here
 * and, through `changed$` and the revocation broadcast, on every other instance.
 */
@Injectable()
export class UsersService implements EntitySubscriberInterface {
  private readonly cache = new UserCache();
  private readonly registrations = new Subject<User>();
  /** Emits each account created with an unverified email, once it is stored (recovery mails it a link). */
  readonly created$ = this.registrations.asObservable();
  private readonly changes = new Subject<string>();
  /** The id of a user that changed (roles, profile, password, flags) or was deleted, once committed. */
  readonly changed$ = this.changes.asObservable();

  private readonly rows: EntityRows<User>;

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {
    this.rows = new EntityRows(users);
    // Told when each transaction ends, to evict the users it changed only once that is visible.
    users.manager.dataSource.subscribers.push(this);
  }

  async create({ email, password, name, roles, emailVerified }: NewUser): Promise<User> {
    const user = this.users.create({
      email: normalizeEmail(email),
      name: name ?? null,
      passwordHash: await hashPassword(password),
      emailVerified: emailVerified ?? false,
      ...(roles ? { roles } : {}),
    });
    try {
      const saved = await this.users.save(user);
      if (!saved.emailVerified) this.registrations.next(saved);
      return saved;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictException('Email is already registered');
      }
      throw error;
    }
  }

  /**
   * The user's roles, or null when the user no longer exists. Session requests ask on every
   * request: served from the cache. Inside a transaction (`manager`) the database is read.
   */
  async findRoles(id: string, manager?: EntityManager): Promise<Role[] | null> {
    if (manager) {
      const rows: Array<{ roles: Role[] }> = await manager.query('SELECT roles FROM users WHERE id = $1', [id]);
      return rows[0]?.roles ?? null;
    }
    return (await this.findProfile(id))?.roles ?? null;
  }

  /**
   * The user without the password hash, from the cache: as fresh as the last change any instance
   * broadcast, and never older than USER_MAX_AGE_MS. For answers about the caller's account;
   * a decision that must see the latest row (a password check, a flag about to change) reads
   * the database with `findById`.
   */
  findProfile(id: string): Promise<UserProfile | null> {
    return this.cache.load(id, () => this.users.findOne({ where: { id }, select: PROFILE_COLUMNS }));
  }

  async getProfile(id: string): Promise<UserProfile> {
    const user = await this.findProfile(id);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  /** Drops cached users: these, or everyone (a broadcast may have been missed). */
  forget(ids?: Iterable<string>): void {
    this.cache.forget(ids);
  }

  async updateProfile(id: string, changes: { name?: string | null }): Promise<User> {
    if (changes.name !== undefined) await this.announcing(id, () => this.users.update({ id }, { name: changes.name }));
    return this.getById(id);
  }

  /**
   * Sets a new password and raises the credentials version; `alongside` runs in the same
   * transaction, after the user row is locked by the update. A login being recorded holds a
   * share lock on that row (`credentialsHeld`): it either commits first, and `alongside` sees
   * it, or waits and then finds the version changed. False when the user does not exist.
   */
  async setPassword<T>(
    id: string,
    password: string,
    alongside?: (manager: EntityManager) => Promise<T>,
  ): Promise<{ changed: boolean; result?: T }> {
    // Hashed before the transaction: no lock (nor the embedded database's one connection) is
    // held through the slow hash.
    const passwordHash = await hashPassword(password);
    return this.users.manager.transaction(async (manager) => {
      const updated = await manager
        .createQueryBuilder()
        .update(User)
        .set({ passwordHash, credentialsVersion: () => 'credentials_version + 1' })
        .where({ id })
        .execute();
      if (!updated.affected) return { changed: false };
      this.changedWithin(manager, id);
      return { changed: true, ...(alongside ? { result: await alongside(manager) } : {}) };
    });
  }

  /**
   * For a statement that records something only while the password checked is still the
   * user's: true when the user exists with its credentials at `version`, and keeps them so
   * (share lock on the row) until that statement's transaction ends.
   */
  credentialsHeld(id: string, version: number): SqlCondition {
    return (parameter) =>
      `EXISTS (SELECT 1 FROM users WHERE id = ${parameter(id)}::uuid AND credentials_version = ${parameter(version)}::int FOR SHARE)`;
  }

  /** Whether `password` is the user's; as slow for an unknown id as for a wrong password. */
  async checkPassword(id: string, password: string): Promise<boolean> {
    const user = await this.users.findOne({ where: { id }, select: { id: true, passwordHash: true } });
    return verifyPassword(user?.passwordHash, password);
  }

  /** Marks the user's email verified; true when it was not before (false too for an unknown id). */
  async markEmailVerified(id: string): Promise<boolean> {
    const result = await this.announcing(id, () =>
      this.users.update({ id, emailVerified: false }, { emailVerified: true }),
    );
    return (result.affected ?? 0) > 0;
  }

  /** Turns the second-factor flag on or off, inside the caller's transaction (the mfa module's). */
  async setMfaEnabled(manager: EntityManager, id: string, enabled: boolean): Promise<void> {
    await manager.update(User, { id }, { mfaEnabled: enabled });
    this.changedWithin(manager, id);
  }

  /** Users, newest first. */
  list(skip: number, take: number): Promise<[User[], number]> {
    return this.users.findAndCount({ order: { createdAt: 'DESC', id: 'ASC' }, skip, take });
  }

  async setRoles(id: string, roles: Role[]): Promise<User> {
    const result = await this.announcing(id, () => this.users.update({ id }, { roles: [...new Set(roles)] }));
    if (!result.affected) throw new NotFoundException('User not found');
    return this.getById(id);
  }

  /**
   * Deletes the user; their logins, sessions and notes go with them (foreign keys cascade).
   * `alongside` runs first in the same transaction, with the user row locked: a login being
   * recorded (`credentialsHeld`) has committed by then, or will find no user.
   */
  async delete<T>(
    id: string,
    alongside?: (manager: EntityManager) => Promise<T>,
  ): Promise<{ deleted: boolean; result?: T }> {
    return this.users.manager.transaction(async (manager) => {
      const locked: unknown[] = await manager.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [id]);
      if (locked.length === 0) return { deleted: false };
      const result = alongside ? await alongside(manager) : undefined;
      await manager.delete(User, { id });
      this.changedWithin(manager, id);
      return { deleted: true, ...(alongside ? { result } : {}) };
    });
  }

  /**
   * Creates the configured first administrator when no account has that email. An existing
   * account is never changed: someone may have registered the address before it was configured.
   * `created` is false when the account already existed, or another instance created it at the
   * same moment (the unique index decides).
   */
  async createAdminIfMissing(email: string, password: string): Promise<{ user: User; created: boolean }> {
    const existing = await this.findByEmail(email);
    if (existing) return { user: existing, created: false };
    try {
      // The operator chose this address: there is nobody to mail a verification link to first.
      return {
        user: await this.create({ email, password, roles: ['user', 'admin'], emailVerified: true }),
        created: true,
      };
    } catch (error) {
      const winner = error instanceof ConflictException ? await this.findByEmail(email) : null;
      if (winner) return { user: winner, created: false };
      throw error;
    }
  }

  async getById(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw new NotFoundException('User not found');
    return user;
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  /** On every password login: one plain statement (see EntityRows). */
  async findByEmail(email: string): Promise<User | null> {
    const rows: Array<Record<string, unknown>> = await this.users.query(
      `SELECT ${this.rows.columns} FROM users WHERE email = $1`,
      [normalizeEmail(email)],
    );
    return rows[0] ? this.rows.from(rows[0]) : null;
  }

  /**
   * The one credential check: the user when email and password match, otherwise null, in
   * about the same time whether or not the email exists.
   */
  async verifyCredentials(email: string, password: string): Promise<User | null> {
    const user = await this.findByEmail(email);
    return (await verifyPassword(user?.passwordHash, password)) ? user : null;
  }

  /** A change: evicted here at once, and everywhere else through `changed$`. */
  private changed(id: string): void {
    this.cache.forget([id]);
    this.changes.next(id);
  }

  /**
   * Runs a single-statement change and announces it however it ends: when its answer is lost
   * (the connection dropped after PostgreSQL committed), the call throws but the row has
   * changed. Announcing a change that did not happen only costs a re-read.
   */
  private async announcing<T>(id: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } finally {
      this.changed(id);
    }
  }

  /**
   * A change inside a transaction: evicted now (no read meanwhile is kept) and announced when the
   * transaction ends (the hooks below); before that, other readers still see the old row.
   */
  private changedWithin(manager: EntityManager, id: string): void {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) return this.changed(id);
    this.cache.forget([id]);
    ((runner.data[CHANGED_USERS] as Set<string> | undefined) ?? (runner.data[CHANGED_USERS] = new Set())).add(id);
  }

  afterTransactionCommit({ queryRunner }: TransactionCommitEvent): void {
    // A savepoint's release also lands here: only the outermost commit makes the change visible.
    if (!queryRunner.isTransactionActive) for (const id of takeChangedUsers(queryRunner)) this.changed(id);
  }

  /**
   * A failed COMMIT lands here too (TypeORM rolls back after it), and PostgreSQL may have
   * committed all the same: only its answer may have been lost, and the ROLLBACK then fails
   * before any later hook. So every rollback announces what the transaction changed; a change
   * that did not happen only costs a re-read.
   */
  beforeTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    for (const id of changedUsers(queryRunner)) this.changed(id);
  }

  afterTransactionRollback({ queryRunner }: TransactionRollbackEvent): void {
    if (!queryRunner.isTransactionActive) takeChangedUsers(queryRunner);
  }
}

function changedUsers(runner: QueryRunner): Iterable<string> {
  return (runner.data[CHANGED_USERS] as Set<string> | undefined) ?? [];
}

function takeChangedUsers(runner: QueryRunner): Iterable<string> {
  const ids = [...changedUsers(runner)];
  delete runner.data[CHANGED_USERS];
  return ids;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION;
}
