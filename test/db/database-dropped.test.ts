import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/platform/db/database.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

describe('a connection dropped in the middle of a transaction (real PostgreSQL)', () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Database(database.url, { max: 2 });
  });
  afterAll(async () => {
    await db?.pool.end();
    await database?.drop();
  });

  it('fails that transaction, does not crash the process, and later transactions work', async () => {
    const unhandled: unknown[] = [];
    const onUncaught = (error: unknown) => unhandled.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = await db
        .transaction(async ({ client }) => {
          const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          const admin = new pg.Client({ connectionString: database.url });
          await admin.connect();
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
          await admin.end();
          // The client's 'error' event fires while the transaction holds it, between queries.
          await new Promise((resolve) => setTimeout(resolve, 300));
          await client.query('SELECT 1');
          return 'committed';
        })
        .catch((error: unknown) => (error instanceof Error ? 'failed' : 'odd'));
      expect(outcome).toBe('failed');
      expect(unhandled).toEqual([]);
      // The broken connection was destroyed, not handed to the next transaction.
      const again = await db.transaction(async ({ client }) => {
        const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
        return rows[0]!.one;
      });
      expect(again).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
