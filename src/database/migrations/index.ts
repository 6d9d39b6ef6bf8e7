import { CreateUsers1764460800000 } from './1764460800000-create-users.js';

/** Every migration, in order. Explicit rather than a glob: ESM and bundlers resolve it the same. */
export const migrations = [CreateUsers1764460800000];
