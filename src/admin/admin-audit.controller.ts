import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditService } from '../audit/audit.service.js';
import { AuditEventResponse, AuditQueryDto } from '../audit/dto/audit.dto.js';
import { Auth, AuthMode, Roles } from '../auth-decorators/index.js';
import { page, PageOf, type Page } from '../common/pagination.js';

@ApiTags('admin')
@Auth(AuthMode.Session)
@Roles('admin')
@Controller('admin/audit')
export class AdminAuditController {
  constructor(private readonly audit: AuditService) {}

  /** Authentication events of everyone, newest first; filter by user, type and time range. */
  @Get()
  @ApiOkResponse({ type: PageOf(AuditEventResponse) })
  async list(@Query() query: AuditQueryDto): Promise<Page<AuditEventResponse>> {
    await this.audit.flush();
    const [items, total] = await this.audit.find({
      userId: query.userId,
      type: query.type,
      from: query.from,
      to: query.to,
      skip: query.skip,
      take: query.limit,
    });
    return page(
      items.map((event) => AuditEventResponse.from(event)),
      total,
      query,
    );
  }
}
