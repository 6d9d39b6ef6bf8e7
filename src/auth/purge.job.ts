import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { COUNTER_STORE } from '../abuse/counters.module.js';
import type { CounterStore } from '../abuse/counter-store.js';
import { AuditService } from '../audit/audit.service.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { MfaChallengesService } from '../mfa/mfa-challenges.service.js';
import { LoginsService } from '../sessions/logins.service.js';
import { revocationHorizonMs } from '../tokens/revocation-list.service.js';

const BATCH = 500;
const MAX_BATCHES = 200;
/**
 * Revoked logins stay while the revocation list still needs them (it reloads them after a
 * restart), and a margin more, so the purge never outruns the reload.
 */
const MARGIN_MS = 30_000;

/**
 * Removes what can matter no more: ended and revoked logins (with their session rows and
 * refresh tokens), tombstones of deleted users' logins, audit events past AUDIT_RETENTION,
 * closed rate-limit and lockout windows, and expired second-factor challenges.
 * In batches; SKIP LOCKED makes it safe on several instances at once.
 */
@Injectable()
export class PurgeJob {
  private readonly logger = new Logger(PurgeJob.name);
  private running = false;

  constructor(
    private readonly logins: LoginsService,
    private readonly audit: AuditService,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(ConfigService) private readonly config: AppConfigService,
    private readonly challenges: MfaChallengesService,
  ) {}

  @Interval('purge', 15 * 60_000)
  async scheduled(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const purged = await this.run();
      if (purged.logins + purged.tombstones + purged.events + purged.counters + purged.challenges > 0) {
        this.logger.log(
          `Purged ${purged.logins} logins, ${purged.tombstones} login tombstones, ${purged.events} audit events, ${purged.counters} counters and ${purged.challenges} MFA challenges`,
        );
      }
    } catch (error) {
      this.logger.warn(`Purge failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  async run(
    now = Date.now(),
  ): Promise<{ logins: number; tombstones: number; events: number; counters: number; challenges: number }> {
    const revokedBefore = new Date(now - revocationHorizonMs(this.config.get('jwt', { infer: true })) - MARGIN_MS);
    const eventsBefore = new Date(now - this.config.get('audit.retentionMs', { infer: true }));
    return {
      logins: await inBatches(() => this.logins.purge(revokedBefore, BATCH)),
      tombstones: await inBatches(() => this.logins.purgeTombstones(revokedBefore, BATCH)),
      events: await inBatches(() => this.audit.purgeOlderThan(eventsBefore, BATCH)),
      counters: await inBatches(() => this.counters.purgeExpired(BATCH)),
      challenges: await inBatches(() => this.challenges.purge(new Date(now), BATCH)),
    };
  }
}

async function inBatches(step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const count = await step();
    total += count;
    if (count < BATCH) break;
  }
  return total;
}
