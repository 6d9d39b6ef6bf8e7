import { DataSource } from 'typeorm';
import { DatabaseShutdown } from './database-shutdown.js';

/**
 * The app's DataSource: runs what is still registered on its DatabaseShutdown (pending audit
 * events, "last used" marks) before the pool ends, whoever ends it. DatabaseModule normally runs
 * those tasks earlier, while Redis is open too; a second run finds none left.
 */
export class AppDataSource extends DataSource {
  readonly shutdown = new DatabaseShutdown();

  override async destroy(): Promise<void> {
    await this.shutdown.run();
    await super.destroy();
  }
}
