import { IsString, MaxLength } from 'class-validator';

export class RefreshTokenDto {
  /** @example "q9Xo2c1mYvB7dL0sR4tKp8wEzN3aHf6uJg5iCjTkQbM" */
  @IsString()
  @MaxLength(512)
  refreshToken: string;
}
