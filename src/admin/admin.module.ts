import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { AdminUsersController } from './admin-users.controller.js';

@Module({ imports: [UsersModule], controllers: [AdminUsersController] })
export class AdminModule {}
