import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Auth, AuthMode, CurrentUser, type AuthUser } from '../auth-decorators/index.js';
import { page, PageOf, PaginationQuery, type Page } from '../common/pagination.js';
import { CreateNoteDto, NoteResponse, UpdateNoteDto } from './dto/note.dto.js';
import { NotesService } from './notes.service.js';

/** The example resource: accepted with a session cookie or a bearer token, private per user. */
@ApiTags('notes')
@Auth(AuthMode.Session, AuthMode.Jwt)
@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Post()
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateNoteDto): Promise<NoteResponse> {
    return NoteResponse.from(await this.notes.create(user, dto));
  }

  /** The caller's notes, newest first. */
  @Get()
  @ApiOkResponse({ type: PageOf(NoteResponse) })
  async list(@CurrentUser() user: AuthUser, @Query() query: PaginationQuery): Promise<Page<NoteResponse>> {
    const [items, total] = await this.notes.list(user, query.skip, query.limit);
    return page(
      items.map((note) => NoteResponse.from(note)),
      total,
      query,
    );
  }

  @Get(':id')
  @ApiOkResponse({ type: NoteResponse })
  @ApiNotFoundResponse({ description: 'No such note of yours' })
  async get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<NoteResponse> {
    return NoteResponse.from(await this.notes.get(user, id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: NoteResponse })
  @ApiNotFoundResponse({ description: 'No such note of yours' })
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateNoteDto,
  ): Promise<NoteResponse> {
    return NoteResponse.from(await this.notes.update(user, id, dto));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such note of yours' })
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.notes.remove(user, id);
  }
}
