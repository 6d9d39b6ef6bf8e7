import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { RecoveryTokensService } from './recovery-tokens.service.js';

const BATCH = 500;
const MAX_BATCHES = 200;

/** Deletes reset and verification tokens that expired or were used, every 15 minutes, in batches. */
@Injectable()
export class RecoveryPurgeJob {
  private readonly logger = new Logger(RecoveryPurgeJob.name);
  private running = false;

  constructor(private readonly tokens: RecoveryTokensService) {}

  @Interval('recovery-purge', 15 * 60_000)
  async scheduled(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const purged = await this.run();
      if (purged > 0) this.logger.log(`Purged ${purged} used or expired recovery tokens`);
    } catch (error) {
      this.logger.warn(`Recovery token purge failed: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  async run(now = new Date()): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const count = await this.tokens.purge(now, BATCH);
      total += count;
      if (count < BATCH) break;
    }
    return total;
  }
}
