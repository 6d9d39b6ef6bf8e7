import type { Request } from 'express';
import type { Strategy } from 'passport';

/** The strategy as Passport's authenticate middleware hands it a request. */
interface Attempt<TUser> {
  authenticate(request: Request): void;
  success(user: TUser): void;
  fail(challenge?: unknown): void;
  error(error: unknown): void;
  redirect(): void;
  pass(): void;
}

/** A failure carries the strategy's challenge (passport-jwt: jsonwebtoken's error), for logs and specs. */
export type StrategyOutcome<TUser> = { user: TUser } | { user: false; challenge?: unknown };

/**
 * Runs one strategy instance on a request through Passport's strategy protocol, as passport's
 * own `authenticate` middleware does: a per-request object made with `Object.create(strategy)`
 * that gets `success`, `fail` and `error`. Passport's registry of strategies by name is
 * process-wide, and several apps in one process (tests, restarts) would each register theirs
 * under the same name; the guard runs its own app's instances instead, injected.
 * A thrown error (such as a 403 for a missing CSRF token) rejects; a failure resolves to
 * `{ user: false }`.
 */
export function runStrategy<TUser>(strategy: Strategy, request: Request): Promise<StrategyOutcome<TUser>> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as Attempt<TUser>;
    attempt.success = (user) => resolve({ user });
    attempt.fail = (challenge) => resolve({ user: false, challenge });
    attempt.error = reject;
    // Neither of our strategies redirects or passes; treated as a failure should one ever do.
    attempt.redirect = () => resolve({ user: false });
    attempt.pass = () => resolve({ user: false });
    try {
      attempt.authenticate(request);
    } catch (error) {
      reject(error);
    }
  });
}
