import { NameField } from './user-fields.js';

export class UpdateMeDto {
  /** @example "Ada King" */
  @NameField()
  name: string;
}
