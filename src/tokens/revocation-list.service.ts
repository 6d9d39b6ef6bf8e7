import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import { LoginsService } from '../sessions/logins.service.js';
import { SessionCache } from '../sessions/session-cache.js';
import { UsersService } from '../users/users.service.js';
import { REVOCATION_BROADCAST } from './tokens.constants.js';
import { splitRevocation, type RevocationBroadcast, type RevocationMessage } from './revocation-broadcast.js';

/** On top of JWT_CLOCK_TOLERANCE: instances (and the database) whose clocks disagree a little. */
const CLOCK_DRIFT_MS = 30_000;
const RELOAD_INTERVAL_MS = 30_000;

/**
 * How long after a revocation an access token issued before it can still be accepted: its
 * lifetime, the verifier's leeway past `exp`, and drift between the clocks involved.
 */
export function revocationHorizonMs(jwt: { accessTtlMs: number; clockToleranceMs: number }): number {
  return jwt.accessTtlMs + jwt.clockToleranceMs + CLOCK_DRIFT_MS;
}

/**
 * The logins whose access tokens must stop working now, kept in process so that checking a
 * token costs no database round trip. An entry lives only as long as an access token issued
 * before the revocation could still be valid. Loaded from the database at start-up (and after
 * a lost broadcast connection), kept current by the broadcast.
 *
 * The same broadcast keeps the in-process caches of session records and roles coherent: an ended
 * login's session record and a user's roles after a role change are dropped on every instance,
 * and both caches are emptied when the broadcast reconnects (messages may have been missed).
 */
@Injectable()
export class RevocationListService implements OnModuleInit {
  private readonly logger = new Logger(RevocationListService.name);
  /** login id → epoch ms until which the entry matters. */
  private readonly revoked = new Map<string, number>();
  private readonly horizonMs: number;
  private readonly subscriptions: Subscription[] = [];
  private sweeper?: NodeJS.Timeout;
  /** Shutdown has begun: no new reloads. */
  private closing = false;
  /** Shut down: publish retries give up. */
  private stopped = false;
  /**
   * Publishes and background reloads under way: shutdown waits for them, so a short-lived
   * process (the CLI) neither exits before its revocations are sent nor closes the pool under a
   * reload.
   */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly logins: LoginsService,
    @Inject(REVOCATION_BROADCAST) private readonly broadcast: RevocationBroadcast,
    @Inject(ConfigService) config: AppConfigService,
    private readonly shutdown: DatabaseShutdown,
    @Optional() private readonly sessions?: SessionCache,
    @Optional() private readonly users?: UsersService,
  ) {
    this.horizonMs = revocationHorizonMs(config.get('jwt', { infer: true }));
  }

  isRevoked(loginId: string): boolean {
    const until = this.revoked.get(loginId);
    return until !== undefined && until > Date.now();
  }

  async onModuleInit(): Promise<void> {
    await this.broadcast.start(
      (message) => this.add(message),
      () => {
        this.sessions?.clear();
        this.users?.forget();
        this.reloadInBackground();
      },
    );
    this.subscriptions.push(
      this.logins.revoked$.subscribe(({ loginIds }) => {
        const message = { loginIds, until: Date.now() + this.horizonMs };
        // Here at once; everywhere else as fast as the broadcast goes.
        this.add(message);
        this.track(this.publish(message));
      }),
    );
    if (this.users) {
      this.subscriptions.push(
        this.users.changed$.subscribe((userId) => {
          const message = { loginIds: [], until: Date.now(), userIds: [userId] };
          this.add(message);
          // One user id: far below any broadcast's size limit.
          this.track(this.publishPart(message));
        }),
      );
    }
    await this.reload();
    // The sweep also reloads from the database: a broadcast another instance failed to send
    // (Redis away at that moment) is picked up here within half a minute.
    this.sweeper = setInterval(() => {
      this.sweep();
      this.reloadInBackground();
    }, RELOAD_INTERVAL_MS);
    this.sweeper.unref();
    // Listening stops after the last request has drained (its revocations were published),
    // and before the database closes, which a late reconnect's reload would reach for.
    this.shutdown.beforeClose(() => this.stop());
  }

  private async stop(): Promise<void> {
    this.closing = true;
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    clearInterval(this.sweeper);
    await Promise.all(this.inFlight);
    this.stopped = true;
    await this.broadcast.stop();
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private reloadInBackground(): void {
    if (this.closing) return;
    this.track(
      this.reload().catch((error: unknown) =>
        this.logger.warn(`Reloading revocations failed: ${(error as Error).message}`),
      ),
    );
  }

  /** Every login revoked recently enough that one of its access tokens could still be valid. */
  async reload(): Promise<void> {
    if (this.stopped) return;
    const since = new Date(Date.now() - this.horizonMs);
    for (const { id, revokedAt } of await this.logins.listRevokedSince(since)) {
      this.revoked.set(id, revokedAt.getTime() + this.horizonMs);
    }
  }

  /**
   * In messages small enough for any broadcast, each given a few tries; one that still fails is
   * covered by the other instances' reload.
   */
  private async publish(message: RevocationMessage): Promise<void> {
    let parts: RevocationMessage[];
    try {
      parts = splitRevocation(message);
    } catch (error) {
      this.logger.error(`Revocation broadcast skipped: ${(error as Error).message}`);
      return;
    }
    for (const part of parts) await this.publishPart(part);
  }

  private async publishPart(message: RevocationMessage): Promise<void> {
    for (let attempt = 1; attempt <= 3 && !this.stopped; attempt++) {
      try {
        return await this.broadcast.publish(message);
      } catch (error) {
        this.logger.error(`Revocation broadcast failed (try ${attempt} of 3): ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private add(message: RevocationMessage): void {
    for (const id of message.loginIds) this.revoked.set(id, Math.max(message.until, this.revoked.get(id) ?? 0));
    this.sessions?.forgetLogins(message.loginIds);
    if (message.userIds) this.users?.forget(message.userIds);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
  }
}
