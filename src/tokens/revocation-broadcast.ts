import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { isCluster, type RedisClient } from '../redis/redis-client.js';

/**
 * A revocation as it travels between instances: login ids and until when they matter; and users
 * that changed or were deleted (every instance drops its cached copy of them).
 */
export interface RevocationMessage {
  loginIds: string[];
  /** Epoch ms after which no access token of these logins can still be valid. */
  until: number;
  userIds?: string[];
}

/**
 * Carries revocations to every instance (this one included). `onReconnect` fires after a lost
 * connection comes back: messages may have been missed, so the receiver reloads from the database.
 */
export interface RevocationBroadcast {
  publish(message: RevocationMessage): Promise<void>;
  start(onMessage: (message: RevocationMessage) => void, onReconnect: () => void): Promise<void>;
  stop(): Promise<void>;
}

export const CHANNEL = 'nest_dual_auth_revocations';

/**
 * PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; one revocation can end thousands of
 * logins. Every kind of broadcast sends messages under this size, so none depends on its limit.
 */
export const MAX_MESSAGE_BYTES = 7_999;

/** Splits a revocation into messages whose JSON fits in `maxBytes`; each id goes in exactly one. */
export function splitRevocation(message: RevocationMessage, maxBytes = MAX_MESSAGE_BYTES): RevocationMessage[] {
  const empty = Buffer.byteLength(JSON.stringify({ loginIds: [], until: message.until }));
  const messages: RevocationMessage[] = [];
  let loginIds: string[] = [];
  let size = empty;
  for (const id of message.loginIds) {
    const idBytes = Buffer.byteLength(JSON.stringify(id));
    if (empty + idBytes > maxBytes)
      throw new Error(`A login id of ${idBytes} bytes does not fit in a revocation message`);
    // A comma separates it from the previous id.
    if (loginIds.length > 0 && size + 1 + idBytes > maxBytes) {
      messages.push({ loginIds, until: message.until });
      loginIds = [];
      size = empty;
    }
    size += (loginIds.length > 0 ? 1 : 0) + idBytes;
    loginIds.push(id);
  }
  if (loginIds.length > 0) messages.push({ loginIds, until: message.until });
  return messages;
}

function parse(raw: string): RevocationMessage | null {
  try {
    const value = JSON.parse(raw) as RevocationMessage;
    const strings = (list: unknown) => Array.isArray(list) && list.every((id) => typeof id === 'string');
    return strings(value.loginIds) &&
      typeof value.until === 'number' &&
      (value.userIds === undefined || strings(value.userIds))
      ? value
      : null;
  } catch {
    return null;
  }
}

/** The embedded database serves one process (its folder is locked): in-process is everywhere. */
export class LocalBroadcast implements RevocationBroadcast {
  private onMessage?: (message: RevocationMessage) => void;

  publish(message: RevocationMessage): Promise<void> {
    this.onMessage?.(message);
    return Promise.resolve();
  }

  start(onMessage: (message: RevocationMessage) => void): Promise<void> {
    this.onMessage = onMessage;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.onMessage = undefined;
    return Promise.resolve();
  }
}

/**
 * Redis pub/sub; subscribing needs a connection of its own. On a Redis Cluster this is classic
 * PUBLISH, which the cluster bus forwards to every node, so the subscriber may sit on any node
 * and moves to another when its node goes (ioredis picks one). Sharded pub/sub (SPUBLISH) would
 * put the one channel on one shard: no spreading to gain for a few small messages, and that
 * shard's loss would cut every instance off at once.
 */
export class RedisBroadcast implements RevocationBroadcast {
  private subscriber?: RedisClient;

  constructor(private readonly redis: RedisClient) {}

  async publish(message: RevocationMessage): Promise<void> {
    await this.redis.publish(CHANNEL, JSON.stringify(message));
  }

  start(onMessage: (message: RevocationMessage) => void, onReconnect: () => void): Promise<void> {
    // Retries forever: a Redis that is down at start-up must not stop the service (health says
    // 503), and whenever the subscription (re)connects the list is reloaded from the database.
    // Messages missed while a cluster subscriber moves to another node come with the periodic
    // reload of the revocation list. No command timeout either: a SUBSCRIBE that timed out would
    // not be renewed on reconnect.
    const subscriber = isCluster(this.redis)
      ? this.redis.duplicate([], {
          enableOfflineQueue: true,
          redisOptions: { ...this.redis.options.redisOptions, maxRetriesPerRequest: null, commandTimeout: undefined },
        })
      : this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined); // the shared client already reports Redis errors
    // A connection is ready before its SUBSCRIBE (ioredis sends it, or resubscribes, just after
    // 'ready'): messages published in between are missed. So the receiver reloads once the
    // subscription is confirmed; whatever was published before then is in the database by now.
    subscriber.on('ready', () => {
      subscriber.subscribe(CHANNEL).then(onReconnect, () => undefined);
    });
    subscriber.on('message', (channel: string, raw: string) => {
      const message = channel === CHANNEL ? parse(raw) : null;
      if (message) onMessage(message);
    });
    // Also what connects it: the shared client is made with lazyConnect.
    subscriber.subscribe(CHANNEL).catch(() => undefined);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.subscriber?.disconnect();
    return Promise.resolve();
  }
}

/** PostgreSQL LISTEN/NOTIFY on a dedicated connection (pool connections come and go). */
export class PostgresBroadcast implements RevocationBroadcast {
  private readonly logger = new Logger(PostgresBroadcast.name);
  private client?: pg.Client;
  private stopped = false;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly db: DataSource,
  ) {}

  async publish(message: RevocationMessage): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify(message)]);
  }

  async start(
    onMessage: (message: RevocationMessage) => void,
    onReconnect: () => void,
    reconnecting = false,
  ): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    client.on('notification', ({ channel, payload }) => {
      const message = channel === CHANNEL && payload ? parse(payload) : null;
      if (message) onMessage(message);
    });
    client.on('error', (error) => {
      this.logger.warn(`Revocation listener lost its connection: ${error.message}`);
      this.scheduleReconnect(onMessage, onReconnect);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (reconnecting) onReconnect();
    } catch (error) {
      if (!reconnecting) throw error;
      this.scheduleReconnect(onMessage, onReconnect);
    }
  }

  private scheduleReconnect(onMessage: (message: RevocationMessage) => void, onReconnect: () => void): void {
    if (this.stopped || this.retry) return;
    void this.client?.end().catch(() => undefined);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.start(onMessage, onReconnect, true);
    }, 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }
}
