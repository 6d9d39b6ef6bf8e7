import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { UsersService } from './users.service.js';

/**
 * Creates the first administrator from ADMIN_EMAIL / ADMIN_PASSWORD at start-up when no account
 * has that email. Configuration never changes an existing account (it could have been
 * registered by anyone): that is the operator's decision, through the CLI.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly users: UsersService,
    @Inject(ConfigService) private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { email, password } = this.config.get('admin', { infer: true });
    if (!email || !password) return;
    const { user, created } = await this.users.createAdminIfMissing(email, password);
    if (created) this.logger.log(`Administrator ${user.email} created`);
    else if (user.roles.includes('admin')) this.logger.log(`Administrator ${user.email} is ready`);
    else {
      this.logger.warn(
        `ADMIN_EMAIL: the account ${user.email} already exists and was left unchanged (not an administrator). ` +
          `To make it one: npm run cli -- promote ${user.email} (or node dist/cli.js promote ${user.email})`,
      );
    }
  }
}
