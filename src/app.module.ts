import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AbuseModule } from './abuse/abuse.module.js';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AllExceptionsFilter } from './common/all-exceptions.filter.js';
import { HttpDrain } from './common/http-drain.js';
import { configModule } from './config/config.module.js';
import type { Env } from './config/env.schema.js';
import { DatabaseModule } from './database/database.module.js';
import { entities } from './entities.js';
import { ExamplesModule } from './examples/examples.module.js';
import { HealthModule } from './health/health.module.js';
import { NotesModule } from './notes/notes.module.js';
import { RecoveryModule } from './recovery/recovery.module.js';
import { RedisModule } from './redis/redis.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { UsersModule } from './users/users.module.js';

/**
 * The feature modules. `nest g resource` and `npm run new:module` register a new module here:
 * Nest's schematics add it to the imports of the first `@Module` of this file, so this one
 * stays first. Nest scans a module's static imports along with its dynamic ones, but a list
 * of its own keeps features after the infrastructure, where forRoot puts them.
 */
@Module({
  imports: [
    // One per line: the generators append their module here.
    NotesModule,
    AdminModule,
    ExamplesModule,
  ],
})
export class FeaturesModule {}

@Module({})
export class AppModule {
  /** `env` overrides the process environment (the e2e tests give each app its own). */
  static async forRoot(env: Env = {}): Promise<DynamicModule> {
    return {
      module: AppModule,
      imports: [
        await configModule(env),
        DatabaseModule.forRoot(entities),
        RedisModule,
        ScheduleModule.forRoot(),
        AuditModule,
        // Before AuthModule: its guard (the rate limit) runs before authentication.
        AbuseModule,
        UsersModule,
        SessionsModule,
        AuthModule,
        RecoveryModule,
        FeaturesModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }, HttpDrain],
    };
  }
}
