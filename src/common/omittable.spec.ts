import { describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, validate } from 'class-validator';
import { Omittable } from './omittable.js';

class Dto {
  @Omittable()
  @IsString()
  description?: string;

  @IsOptional()
  @IsString()
  nullable?: string | null;
}

const errorsFor = async (body: object) => (await validate(plainToInstance(Dto, body))).map((error) => error.property);

describe('@Omittable()', () => {
  it('lets the field be left out', async () => {
    await expect(errorsFor({})).resolves.toEqual([]);
  });

  it('validates a value that is sent', async () => {
    await expect(errorsFor({ description: 'text' })).resolves.toEqual([]);
    await expect(errorsFor({ description: 42 })).resolves.toEqual(['description']);
  });

  it('refuses null, where @IsOptional() lets it through to the database', async () => {
    await expect(errorsFor({ description: null })).resolves.toEqual(['description']);
    await expect(errorsFor({ nullable: null })).resolves.toEqual([]);
  });
});
