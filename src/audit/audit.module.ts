import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity.js';
import { AuditService } from './audit.service.js';
import { MyActivityController } from './my-activity.controller.js';

/** The audit trail. Anything that authenticates or changes an account records through it. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [MyActivityController],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
