import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';

/** A Drizzle handle: the pool's, or one bound to a transaction's client. */
export type Db = NodePgDatabase;

/** What a service hands to repositories, the audit log and the job queue inside one transaction. */
export interface Tx {
  db: Db;
  client: pg.PoolClient;
}

export class Database {
  readonly pool: pg.Pool;
  readonly db: Db;

  constructor(
    readonly url: string,
    options: { max?: number; applicationName?: string } = {},
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'lanyard',
      idleTimeoutMillis: 30_000,
    });
    // A dropped idle connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    this.db = drizzle(this.pool);
  }

  /** Runs fn in one transaction (READ COMMITTED); commits if it resolves, rolls back if it throws. */
  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn({ db: drizzle(client), client });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
