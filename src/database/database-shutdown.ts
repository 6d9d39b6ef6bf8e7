import { Injectable, Logger } from '@nestjs/common';

/**
 * Work that must reach the database before it closes (pending audit events, "last used"
 * marks). Run by AppDataSource right before its pool ends, which Nest does after the HTTP server
 * has drained.
 */
@Injectable()
export class DatabaseShutdown {
  private readonly logger = new Logger(DatabaseShutdown.name);
  private readonly tasks: Array<() => Promise<void>> = [];

  beforeClose(task: () => Promise<void>): void {
    this.tasks.push(task);
  }

  /** Runs `task` every `intervalMs` (never keeping the process alive), then `last` once before close. */
  repeatUntilClose(intervalMs: number, task: () => Promise<void>, last: () => Promise<void> = task): void {
    const timer = setInterval(() => void task(), intervalMs);
    timer.unref();
    this.beforeClose(async () => {
      clearInterval(timer);
      await last();
    });
  }

  async run(): Promise<void> {
    for (const task of this.tasks.splice(0)) {
      await task().catch((error: unknown) => this.logger.error(`Shutdown task failed: ${(error as Error).message}`));
    }
  }
}
