import type { DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { loadConfig, type AppConfig } from './app-config.js';
import type { Env } from './env.schema.js';

/** Typed access to the validated configuration: `config.get('session', { infer: true })`. */
export type AppConfigService = ConfigService<AppConfig, true>;
export { ConfigService };

/**
 * The global, validated configuration. `overrides` win over the process environment; the e2e
 * tests use them to give each app its own settings without touching `process.env`. Awaited by
 * the caller, so a bad value rejects its promise instead of floating unhandled.
 */
export function configModule(overrides: Env = {}): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    // Tests pass everything they need explicitly; a developer's .env must not leak in.
    ignoreEnvFile: overrides.NODE_ENV === 'test',
    validate: (env) => loadConfig({ ...(env as Env), ...overrides }),
  });
}
