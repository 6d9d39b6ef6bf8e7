import { PGlite } from '@electric-sql/pglite';
import { resolve } from 'node:path';
import { restrictTree } from '../common/private-dir.js';
import { lockDataDir } from './data-dir-lock.js';

/** Where the embedded PostgreSQL keeps its files inside DATA_DIR. */
function embeddedDatabaseDir(dataDir: string): string {
  return resolve(dataDir, 'pgdata');
}

/**
 * The embedded PostgreSQL (PGlite) used when DATABASE_URL is unset. It owns the PGlite
 * instance and the folder lock, and closes both: node-postgres never closes PGlite itself.
 */
export class EmbeddedDatabase {
  private closed = false;

  constructor(
    readonly pglite: PGlite,
    private readonly release: () => void = () => undefined,
    private readonly dir?: string,
  ) {}

  static async open(dataDir: string): Promise<EmbeddedDatabase> {
    const root = resolve(dataDir);
    const release = lockDataDir(root);
    try {
      const pglite = await PGlite.create(embeddedDatabaseDir(dataDir));
      // PGlite writes its files 0666 whatever the umask, and a folder from an older version may
      // hold looser files: everything in DATA_DIR stays private to the service.
      restrictTree(root);
      return new EmbeddedDatabase(pglite, release, root);
    } catch (error) {
      release();
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.pglite.closed) await this.pglite.close();
      if (this.dir) restrictTree(this.dir);
    } finally {
      this.release();
    }
  }
}
