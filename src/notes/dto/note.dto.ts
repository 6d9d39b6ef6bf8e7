import { PartialType } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import type { Note } from '../note.entity.js';

export class CreateNoteDto {
  /** @example "Groceries" */
  @IsString()
  @Length(1, 200)
  title: string;

  /** @example "Milk, eggs, flour" */
  @IsString()
  @MaxLength(10_000)
  body: string;
}

/**
 * Fields may be left out, but not set to null (both are NOT NULL): `skipNullProperties: false`
 * puts the house rule for optional fields, `@Omittable()` (src/common/omittable.ts), on each.
 */
export class UpdateNoteDto extends PartialType(CreateNoteDto, { skipNullProperties: false }) {}

export class NoteResponse {
  /** @example "9b2e4c71-5a3d-4f08-b6e1-2c7d8a9f0e34" */
  id: string;
  /** @example "Groceries" */
  title: string;
  /** @example "Milk, eggs, flour" */
  body: string;
  /** @example "2026-11-30T09:15:00.000Z" */
  createdAt: Date;
  /** @example "2026-11-30T09:20:00.000Z" */
  updatedAt: Date;

  static from(note: Note): NoteResponse {
    const response = new NoteResponse();
    response.id = note.id;
    response.title = note.title;
    response.body = note.body;
    response.createdAt = note.createdAt;
    response.updatedAt = note.updatedAt;
    return response;
  }
}
