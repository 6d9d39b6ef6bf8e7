import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DatabaseShutdown } from '../database/database-shutdown.js';
import { LoginsService } from '../sessions/logins.service.js';

const FLUSH_INTERVAL_MS = 60_000;

/**
 * "Last used" for token logins without a write per request: requests only mark the login in
 * memory; once a minute one UPDATE records every login seen. Refreshes record use directly.
 */
@Injectable()
export class TokenActivityService implements OnModuleInit {
  private readonly logger = new Logger(TokenActivityService.name);
  private seenIds = new Set<string>();

  constructor(
    private readonly logins: LoginsService,
    private readonly shutdown: DatabaseShutdown,
  ) {}

  seen(loginId: string): void {
    this.seenIds.add(loginId);
  }

  onModuleInit(): void {
    // Also once after the last request has drained, before the database closes.
    this.shutdown.repeatUntilClose(FLUSH_INTERVAL_MS, () => this.flush());
  }

  async flush(): Promise<void> {
    if (this.seenIds.size === 0) return;
    const ids = [...this.seenIds];
    this.seenIds = new Set();
    await this.logins
      .markUsed(ids)
      .catch((error: unknown) => this.logger.warn(`Recording token use failed: ${(error as Error).message}`));
  }
}
