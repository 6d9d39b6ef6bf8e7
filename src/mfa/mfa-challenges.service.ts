import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { MfaChallenge, type ChallengeKind } from './mfa-challenge.entity.js';

/** How long a password login waits for its second factor. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** Password logins waiting for their second factor. The only code that touches mfa_challenges. */
@Injectable()
export class MfaChallengesService {
  constructor(@InjectRepository(MfaChallenge) private readonly challenges: Repository<MfaChallenge>) {}

  async create(userId: string, kind: ChallengeKind, credentialsVersion: number): Promise<string> {
    const saved = await this.challenges.save(
      this.challenges.create({ userId, kind, credentialsVersion, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS) }),
    );
    return saved.id;
  }

  /** The challenge while it is unused and unexpired (ids that are not uuids are simply unknown). */
  async findOpen(id: string): Promise<MfaChallenge | null> {
    if (!UUID.test(id)) return null;
    const challenge = await this.challenges.findOneBy({ id });
    return challenge && challenge.usedAt === null && challenge.expiresAt.getTime() > Date.now() ? challenge : null;
  }

  /** Marks it used; false when another request used it first or it expired meanwhile. */
  async consume(id: string): Promise<boolean> {
    const result = await this.challenges
      .createQueryBuilder()
      .update(MfaChallenge)
      .set({ usedAt: () => 'now()' })
      .where('id = :id AND used_at IS NULL AND expires_at > now()', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Deletes challenges expired before `before`, at most `batch` (the purge job). */
  async purge(before: Date, batch: number): Promise<number> {
    const expired = await this.challenges.find({
      select: { id: true },
      where: { expiresAt: LessThan(before) },
      take: batch,
    });
    if (expired.length === 0) return 0;
    await this.challenges.delete(expired.map((c) => c.id));
    return expired.length;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
