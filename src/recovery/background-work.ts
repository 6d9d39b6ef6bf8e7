import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Work done after the answer has gone (looking the user up, storing the token, sending the
 * mail), so how long an answer takes tells nothing about whether an account exists. Failures
 * are logged, never thrown; the app waits for what is under way before the database closes.
 */
@Injectable()
export class BackgroundWork implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Recovery');
  private readonly pending = new Set<Promise<void>>();

  run(label: string, work: () => Promise<void>): void {
    const running: Promise<void> = Promise.resolve()
      .then(work)
      // The message only: the work holds one-time tokens, and an error's details could quote them.
      .catch((error: unknown) =>
        this.logger.error(`${label} failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Resolves once nothing is under way (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }
}
