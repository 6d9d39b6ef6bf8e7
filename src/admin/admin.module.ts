import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminAuditController } from './admin-audit.controller.js';
import { AdminUsersController } from './admin-users.controller.js';

@Module({ imports: [UsersModule, AuthModule, AuditModule], controllers: [AdminUsersController, AdminAuditController] })
export class AdminModule {}
