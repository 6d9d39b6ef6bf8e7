import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn } from 'class-validator';
import { ROLES, type Role } from '../../users/user.entity.js';

export class SetRolesDto {
  /** @example ["user", "admin"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @IsIn(ROLES, { each: true })
  roles: Role[];
}
