import type { User } from './user.entity.js';

/** A user as the cache holds it: everything but the password hash, which is never cached. */
export type UserProfile = Readonly<Omit<User, 'passwordHash'>>;

/**
 * The longest a user is served from memory without reading the database again: every change
 * evicts it on every instance at once (the revocation broadcast), and this bounds a broadcast that
 * never arrived (the revocation list's reload interval, which covers the same case for logins).
 */
export const USER_MAX_AGE_MS = 30_000;
export const USER_CACHE_SIZE = 10_000;

interface Entry {
  /** Null: no such user (deleted, or never was). */
  user: UserProfile | null;
  loadedAt: number;
}

/**
 * Users by id, in process, so that a request that needs the caller's roles or account reads no
 * database. Bounded (least recently used goes first, a Map in insertion order being the whole
 * LRU, as in the session cache). A read that started before an eviction is not stored
 * (`generation`): a row read just before a change committed cannot outlive the change's eviction.
 */
export class UserCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;

  constructor(
    private readonly maxEntries = USER_CACHE_SIZE,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached user (null: known not to exist), or undefined when it must be read. */
  get(id: string): UserProfile | null | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (this.now() - entry.loadedAt >= USER_MAX_AGE_MS) {
      this.entries.delete(id);
      return undefined;
    }
    // Most recently used last: the first in the map goes when it is full.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.user;
  }

  /** Reads `id` through `load` and keeps the answer, unless an eviction happened meanwhile. */
  async load(id: string, load: () => Promise<UserProfile | null>): Promise<UserProfile | null> {
    const cached = this.get(id);
    if (cached !== undefined) return cached;
    const generation = this.generation;
    const loadedAt = this.now();
    const user = await load();
    const frozen = user && Object.freeze({ ...user, roles: Object.freeze([...user.roles]) as User['roles'] });
    if (generation !== this.generation) return frozen;
    this.entries.delete(id);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(id, { user: frozen, loadedAt });
    return frozen;
  }

  /** Drops these users, or everyone (a broadcast may have been missed); reads in flight are not kept. */
  forget(ids?: Iterable<string>): void {
    this.generation++;
    if (!ids) return this.entries.clear();
    for (const id of ids) this.entries.delete(id);
  }
}
