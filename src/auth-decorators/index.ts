// The declarations every module may import: metadata and types only, no state, no import of auth/.
export { AuthMode } from './auth-mode.js';
export { loginKindOf, type AuthUser } from './auth-user.js';
export { Auth, AUTH_METADATA, Public, PUBLIC_METADATA, Roles, ROLES_METADATA } from './auth.decorator.js';
export { Fresh, FRESH_METADATA, type FreshDeclaration } from './fresh.decorator.js';
export { CurrentUser } from './current-user.decorator.js';
export { ROLES, type Role } from './roles.js';
export { SECURITY } from './security-schemes.js';
