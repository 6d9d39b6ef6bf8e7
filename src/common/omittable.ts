import { ValidateIf, type ValidationOptions } from 'class-validator';

/**
 * The house rule for an optional field: it may be left out, but when it is sent it is
 * validated, `null` included, so `null` gets the field's own 400 instead of reaching a NOT NULL
 * column as a 500. class-validator's `@IsOptional()` skips `null` as well: keep it for a column
 * that is nullable on purpose. Update DTOs get the same rule on every field from
 * `PartialType(CreateDto, { skipNullProperties: false })`.
 *
 *   @Omittable() @IsString() @MaxLength(2000) description?: string;
 */
export const Omittable = (options?: ValidationOptions): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined, options);
