import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { configModule } from '../config/config.module.js';
import type { Env } from '../config/env.schema.js';
import { DatabaseModule } from '../database/database.module.js';
import { entities } from '../entities.js';
import { RedisModule } from '../redis/redis.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { UsersModule } from '../users/users.module.js';
import { OperatorCommands } from './operator-commands.service.js';

/**
 * The service's own modules, without HTTP or scheduled jobs: the same configuration checks,
 * database (and its lock), migrations, audit trail and revocation broadcast as the service.
 */
@Module({})
export class CliModule {
  static async forRoot(env: Env = {}): Promise<DynamicModule> {
    return {
      module: CliModule,
      imports: [
        await configModule(env),
        DatabaseModule.forRoot(entities),
        RedisModule,
        AuditModule,
        UsersModule,
        SessionsModule,
        TokensModule,
      ],
      providers: [OperatorCommands],
    };
  }
}
