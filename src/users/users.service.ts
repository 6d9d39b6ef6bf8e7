import { ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { normalizeEmail } from './email.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { User } from './user.entity.js';

const UNIQUE_VIOLATION = '23505';

export interface NewUser {
  email: string;
  password: string;
  name?: string | null;
}

/** The only code that touches the users table. */
@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async create({ email, password, name }: NewUser): Promise<User> {
    const user = this.users.create({
      email: normalizeEmail(email),
      name: name ?? null,
      passwordHash: await hashPassword(password),
    });
    try {
      return await this.users.save(user);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictException('Email is already registered');
      }
      throw error;
    }
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normalizeEmail(email) });
  }

  /**
   * The one credential check: the user when email and password match, otherwise null, in
   * about the same time whether or not the email exists.
   */
  async verifyCredentials(email: string, password: string): Promise<User | null> {
    const user = await this.findByEmail(email);
    return (await verifyPassword(user?.passwordHash, password)) ? user : null;
  }
}
