import { CreateUsers1764460800000 } from './1764460800000-create-users.js';
import { CreateLoginsAndSessions1764547200000 } from './1764547200000-create-logins-and-sessions.js';
import { CreateNotes1764633600000 } from './1764633600000-create-notes.js';
import { CreateRefreshTokens1764720000000 } from './1764720000000-create-refresh-tokens.js';
import { CreateAuthEvents1764806400000 } from './1764806400000-create-auth-events.js';
import { RenormalizeEmails1764936000000 } from './1764936000000-renormalize-emails.js';
import { AddUsersCredentialsVersion1796112000000 } from './1796112000000-add-users-credentials-version.js';
import { CreateLoginTombstones1796112060000 } from './1796112060000-create-login-tombstones.js';
import { CreateAbuseCounters1796198400000 } from './1796198400000-create-abuse-counters.js';
import { AddUsersEmailVerified1796198437915 } from './1796198437915-add-users-email-verified.js';
import { CreateRecoveryTokens1796198437916 } from './1796198437916-create-recovery-tokens.js';
import { AddMfaAndStepUp1796198532983 } from './1796198532983-add-mfa-and-step-up.js';

/** Every migration, in order. Explicit rather than a glob: ESM and bundlers resolve it the same. */
export const migrations = [
  CreateUsers1764460800000,
  CreateLoginsAndSessions1764547200000,
  CreateNotes1764633600000,
  CreateRefreshTokens1764720000000,
  CreateAuthEvents1764806400000,
  RenormalizeEmails1764936000000,
  AddUsersCredentialsVersion1796112000000,
  CreateLoginTombstones1796112060000,
  CreateAbuseCounters1796198400000,
  AddUsersEmailVerified1796198437915,
  CreateRecoveryTokens1796198437916,
  AddMfaAndStepUp1796198532983,
];
