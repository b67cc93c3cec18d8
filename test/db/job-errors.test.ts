import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/platform/jobs/queue.ts';
import { createTestServices, type TestContext } from '../support/db.ts';

/** A failing job's error as pg-boss stores it: class and code, never the values (issue 10 item 6). */
describe('job errors stored by pg-boss', () => {
  let ctx: TestContext;
  let queue: JobQueue<{ 'test.fails': { pupilId: string } }>;

  beforeAll(async () => {
    ctx = await createTestServices();
    queue = new JobQueue(ctx.database.url, ['test.fails'], { supervise: false, schedule: false });
    await queue.start();
  });
  afterAll(async () => {
    await queue?.stop();
    await ctx?.close();
  });

  it('keeps the PostgreSQL code of a failed query but not its parameters', async () => {
    await queue.work({
      'test.fails': async () => {
        // A real failed query with a pupil's name as a parameter.
        await ctx.services.database.db.execute(
          (await import('drizzle-orm'))
            .sql`SELECT * FROM no_such_table WHERE name = ${'Zoë Probe-Okafor'}`,
        );
      },
    });
    await queue.enqueue('test.fails', { pupilId: '00000000-0000-0000-0000-000000000001' });
    const pool = ctx.services.database.pool;
    let output = '';
    for (let i = 0; i < 100 && !output; i++) {
      const { rows } = await pool.query<{ o: string | null }>(
        "SELECT output::text AS o FROM pgboss.job WHERE name = 'test.fails' AND output IS NOT NULL",
      );
      output = rows[0]?.o ?? '';
      if (!output) await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('42P01');
    expect(output).not.toContain('Okafor');
    expect(output).not.toContain('no_such_table WHERE');
  });
});
