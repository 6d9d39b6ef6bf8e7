import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService, type AppConfigService } from '../config/config.module.js';
import { UsersService } from './users.service.js';

/** Creates the first administrator from ADMIN_EMAIL / ADMIN_PASSWORD at start-up, if missing. */
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
    const admin = await this.users.ensureAdmin(email, password);
    this.logger.log(`Administrator ${admin.email} is ready`);
  }
}
