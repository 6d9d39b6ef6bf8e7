// What feature modules import from auth: declarations and the caller, nothing with state.
export { AuthMode } from '../auth-mode.js';
export type { AuthUser } from '../auth-user.js';
export { Auth, Public, Roles } from './auth.decorator.js';
export { CurrentUser } from './current-user.decorator.js';
