import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Patch,
  Query,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AccountsService } from '../auth/accounts.service.js';
import { AuditService } from '../audit/audit.service.js';
import { Auth, AuthMode, CurrentUser, Fresh, Roles, type AuthUser } from '../auth-decorators/index.js';
import { page, PageOf, PaginationQuery, type Page } from '../common/pagination.js';
import { UserResponse } from '../users/dto/user.response.js';
import { UsersService } from '../users/users.service.js';
import { SetRolesDto } from './dto/set-roles.dto.js';

/** User administration: session-only (a bearer token gets 401) and the admin role (403 without). */
@ApiTags('admin')
@Auth(AuthMode.Session)
@Roles('admin')
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly audit: AuditService,
  ) {}

  /** Every user, newest first. */
  @Get()
  @ApiOkResponse({ type: PageOf(UserResponse) })
  async list(@Query() query: PaginationQuery): Promise<Page<UserResponse>> {
    const [items, total] = await this.users.list(query.skip, query.limit);
    return page(
      items.map((user) => UserResponse.from(user)),
      total,
      query,
    );
  }

  @Patch(':id/roles')
  @ApiOkResponse({ type: UserResponse })
  @Fresh()
  @ApiNotFoundResponse({ description: 'No such user' })
  async setRoles(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: SetRolesDto,
  ): Promise<UserResponse> {
    const user = await this.users.setRoles(id, dto.roles);
    this.audit.record({ type: 'role.changed', userId: id, details: { roles: user.roles, by: admin.id } });
    return UserResponse.from(user);
  }

  /** Deletes the user with their logins and notes; their credentials stop working at once. */
  @Delete(':id')
  @Fresh()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted, with every login of theirs' })
  @ApiNotFoundResponse({ description: 'No such user' })
  async remove(@CurrentUser() admin: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    if (!(await this.accounts.deleteUser(id, admin.id))) throw new NotFoundException('User not found');
  }
}
