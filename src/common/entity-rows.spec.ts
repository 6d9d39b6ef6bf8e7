import { describe, expect, it } from '@jest/globals';
import {
  Column,
  CreateDateColumn,
  DataSource,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { EntityRows } from './entity-rows.js';

@Entity({ name: 'owners' })
class Owner {
  @PrimaryGeneratedColumn('uuid')
  id: string;
}

@Entity({ name: 'things' })
class Thing {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => Owner)
  @JoinColumn({ name: 'owner_id' })
  owner?: Relation<Owner>;

  @Column({ type: 'text', array: true })
  tags: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}

async function rowsOf(): Promise<EntityRows<Thing>> {
  // Metadata only: nothing connects.
  const dataSource = new DataSource({ type: 'postgres', entities: [Owner, Thing] });
  await (dataSource as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  return new EntityRows(dataSource.getRepository(Thing));
}

describe('EntityRows', () => {
  it('selects every column under its property name, the join column of a relation included', async () => {
    expect((await rowsOf()).columns).toBe(
      '"id" AS "id", "owner_id" AS "ownerId", "tags" AS "tags", "created_at" AS "createdAt", "ended_at" AS "endedAt"',
    );
  });

  it('makes the entity of a row: timestamps as Date whether the driver gave a string or a Date, null kept', async () => {
    const rows = await rowsOf();
    const thing = rows.from({
      id: 'a',
      ownerId: 'b',
      tags: ['x', 'y'],
      createdAt: '2026-12-01T10:00:00.000Z',
      endedAt: null,
    });
    expect(thing).toBeInstanceOf(Thing);
    expect(thing).toEqual(
      Object.assign(new Thing(), {
        id: 'a',
        ownerId: 'b',
        tags: ['x', 'y'],
        createdAt: new Date('2026-12-01T10:00:00.000Z'),
        endedAt: null,
      }),
    );
    const ended = rows.from({ endedAt: new Date('2026-12-02T00:00:00.000Z') });
    expect(ended.endedAt).toEqual(new Date('2026-12-02T00:00:00.000Z'));
  });
});
