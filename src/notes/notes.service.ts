import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../auth-decorators/index.js';
import type { CreateNoteDto, UpdateNoteDto } from './dto/note.dto.js';
import { Note } from './note.entity.js';

/** Notes are private: every query is scoped to the owner, so another user's id is simply not found. */
@Injectable()
export class NotesService {
  constructor(@InjectRepository(Note) private readonly notes: Repository<Note>) {}

  create(owner: AuthUser, dto: CreateNoteDto): Promise<Note> {
    return this.notes.save(this.notes.create({ ownerId: owner.id, title: dto.title, body: dto.body }));
  }

  list(owner: AuthUser, skip: number, take: number): Promise<[Note[], number]> {
    return this.notes.findAndCount({
      where: { ownerId: owner.id },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip,
      take,
    });
  }

  async get(owner: AuthUser, id: string): Promise<Note> {
    const note = await this.notes.findOneBy({ id, ownerId: owner.id });
    if (!note) throw new NotFoundException('Note not found');
    return note;
  }

  async update(owner: AuthUser, id: string, dto: UpdateNoteDto): Promise<Note> {
    const note = await this.get(owner, id);
    return this.notes.save(this.notes.merge(note, dto));
  }

  async remove(owner: AuthUser, id: string): Promise<void> {
    const result = await this.notes.delete({ id, ownerId: owner.id });
    if (!result.affected) throw new NotFoundException('Note not found');
  }
}
