/** The roles a user can hold; `@Roles()` and the users table share this list. */
export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];
