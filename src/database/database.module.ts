import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { openDataSource, type AppDataSource } from './app-data-source.js';
import { DatabaseShutdown } from './database-shutdown.js';
import { EMBEDDED_DATABASE } from './database.constants.js';
import { dataSourceOptions } from './data-source-options.js';
import { EmbeddedDatabase } from './embedded-database.js';

@Module({
  providers: [
    {
      provide: EMBEDDED_DATABASE,
      inject: [ConfigService],
      useFactory: async (config: AppConfigService) =>
        config.get('database.url', { infer: true })
          ? null
          : EmbeddedDatabase.open(config.get('app.dataDir', { infer: true })),
    },
  ],
  exports: [EMBEDDED_DATABASE],
})
class EmbeddedDatabaseModule {}

/**
 * Runs the work registered with DatabaseShutdown while the pool and Redis are both open (the
 * revocation broadcast needs Redis). Nest calls the shutdown hooks of global modules (this one's
 * parent, TypeORM's, Redis's) after those of all other modules, Redis's before TypeORM's; a
 * module that is not global runs first. AppDataSource runs whatever is left when the pool ends.
 */
@Module({})
class DatabaseShutdownModule implements OnApplicationShutdown {
  constructor(private readonly shutdown: DatabaseShutdown) {}

  async onApplicationShutdown(): Promise<void> {
    await this.shutdown.run();
  }
}

/** Entity classes, as `src/entities.ts` lists them. */
export type EntityList = NonNullable<DataSourceOptions['entities']>;

@Global()
@Module({
  providers: [
    { provide: DatabaseShutdown, inject: [DataSource], useFactory: (dataSource: AppDataSource) => dataSource.shutdown },
  ],
  exports: [DatabaseShutdown],
  imports: [EmbeddedDatabaseModule, DatabaseShutdownModule],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EMBEDDED_DATABASE) private readonly embedded: EmbeddedDatabase | null,
  ) {}

  /**
   * The one list of entities is handed in by whoever wires the app (AppModule, CliModule), so
   * this module imports no feature. It is the list the migration CLI reads too.
   */
  static forRoot(entities: EntityList): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [EmbeddedDatabaseModule],
          inject: [ConfigService, EMBEDDED_DATABASE],
          useFactory: (config: AppConfigService, embedded: EmbeddedDatabase | null) => ({
            ...dataSourceOptions({ database: config.get<AppConfig['database']>('database') }, embedded),
            entities,
            // Fail fast at boot; at run time the pool reconnects by itself.
            retryAttempts: 0,
          }),
          // Migrations run inside the factory, so nothing uses the DataSource before they are done.
          dataSourceFactory: (options) => openDataSource(options!),
        }),
      ],
    };
  }

  /** The pool must end before PGlite closes under it; hook order alone does not promise that. */
  async onApplicationShutdown(): Promise<void> {
    try {
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    } finally {
      await this.embedded?.close();
    }
  }
}
