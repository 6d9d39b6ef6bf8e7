import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** `?page` from 1, `?limit` 1–100 (default 20). */
export class PaginationQuery {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  get skip(): number {
    return (this.page - 1) * this.limit;
  }
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

export function page<T>(items: T[], total: number, query: PaginationQuery): Page<T> {
  return { items, total, page: query.page, limit: query.limit };
}

/** A Swagger schema for `Page<T>`: `@ApiOkResponse({ type: PageOf(NoteResponse) })`. */
export function PageOf<T>(item: new () => T): new () => Page<T> {
  class PageResponse implements Page<T> {
    @ApiProperty({ type: () => [item] })
    items: T[];
    @ApiProperty({ example: 42 })
    total: number;
    @ApiProperty({ example: 1 })
    page: number;
    @ApiProperty({ example: 20 })
    limit: number;
  }
  Object.defineProperty(PageResponse, 'name', { value: `PageOf${item.name}` });
  return PageResponse;
}
