import { AbuseCounter } from './abuse/abuse-counter.entity.js';
import { AuditEvent } from './audit/audit-event.entity.js';
import { MfaChallenge } from './mfa/mfa-challenge.entity.js';
import { MfaSecret } from './mfa/mfa-secret.entity.js';
import { RecoveryCode } from './mfa/recovery-code.entity.js';
import { Note } from './notes/note.entity.js';
import { RecoveryToken } from './recovery/recovery-token.entity.js';
import { HttpSession } from './sessions/http-session.entity.js';
import { Login } from './sessions/login.entity.js';
import { RefreshToken } from './tokens/refresh-token.entity.js';
import { User } from './users/user.entity.js';

/**
 * Every TypeORM entity, in one list: the app (`DatabaseModule.forRoot`) and the migration CLI
 * (`ormconfig.ts`) both read it, so `migration:generate` compares what the app maps. An entity
 * missing here fails at boot ("No metadata for …") rather than in a migration nobody generated.
 */
export const entities = [
  User,
  Login,
  HttpSession,
  RefreshToken,
  AuditEvent,
  AbuseCounter,
  RecoveryToken,
  Note,
  MfaSecret,
  RecoveryCode,
  MfaChallenge,
];
