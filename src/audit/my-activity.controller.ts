import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthMode, CurrentUser, type AuthUser } from '../auth-decorators/index.js';
import { page, PageOf, PaginationQuery, type Page } from '../common/pagination.js';
import { AuditService } from './audit.service.js';
import { AuditEventResponse } from './dto/audit.dto.js';

@ApiTags('users')
@Auth(AuthMode.Session, AuthMode.Jwt)
@Controller('users/me/activity')
export class MyActivityController {
  constructor(private readonly audit: AuditService) {}

  /** The caller's own authentication events, newest first. */
  @Get()
  @ApiOkResponse({ type: PageOf(AuditEventResponse) })
  async list(@CurrentUser() user: AuthUser, @Query() query: PaginationQuery): Promise<Page<AuditEventResponse>> {
    await this.audit.flush();
    const [items, total] = await this.audit.find({ userId: user.id, skip: query.skip, take: query.limit });
    return page(
      items.map((event) => AuditEventResponse.from(event)),
      total,
      query,
    );
  }
}
