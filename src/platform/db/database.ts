import { createHash } from 'node:crypto';
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

/**
 * Runs a Drizzle query as a named prepared statement whose name is derived from its SQL text, so
 * PostgreSQL parses and plans each distinct query once per connection and two different texts
 * can never share a name.
 */
export async function runPrepared<T>(query: {
  toSQL(): { sql: string };
  prepare(name: string): { execute(): Promise<T> };
}): Promise<T> {
  const text = query.toSQL().sql;
  let name = preparedNames.get(text);
  if (!name) {
    name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (preparedNames.size > 10_000) preparedNames.clear();
    preparedNames.set(text, name);
  }
  return query.prepare(name).execute();
}

const preparedNames = new Map<string, string>();
