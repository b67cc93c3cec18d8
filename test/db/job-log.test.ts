import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, jobNames, type JobHandlers, type Platform } from '../../src/container.ts';
import { runInRequest } from '../../src/platform/request-context.ts';
import { createTestServices, type TestContext } from '../support/db.ts';

/**
 * A worker's log of a failing job (issue 11 item 9): the job's name, id, the request that
 * enqueued it and the error's class and code, never the payload or the error's message (a failed
 * query's message holds its parameters: here a pupil's name).
 */
describe('the worker logs a failing job by name, id and request id', () => {
  let ctx: TestContext;
  let worker: Platform;
  const lines: string[] = [];
  /** The data policy.review-reminder handlers were given (whichever path ran the job). */
  const seen: unknown[] = [];

  beforeAll(async () => {
    ctx = await createTestServices();
    // A worker process of its own on the same database, with its log captured.
    worker = await createPlatform(ctx.config, {
      supervise: false,
      mailSink: ctx.sink,
      log: (line) => lines.push(line),
    });
    const handlers = Object.fromEntries(
      jobNames.map((name) => [name, async () => undefined]),
    ) as unknown as JobHandlers;
    handlers['policy.review-reminder'] = async (data) => {
      seen.push(data);
    };
    handlers['media.ingest'] = async () => {
      await worker.database.db.execute(
        sql`SELECT * FROM no_such_table WHERE name = ${'Zoë Probe-Okafor'}`,
      );
    };
    await worker.jobs.work(handlers);
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
  });

  const waitFor = async (id: string) => {
    for (let i = 0; i < 150; i++) {
      const line = lines.find((l) => l.includes(id));
      if (line) return line;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no log line for job ${id}:\n${lines.join('\n')}`);
  };

  it('names the job, its id, the request that enqueued it and the error class and code', async () => {
    const mediaId = '00000000-0000-4000-8000-00000000abcd';
    // As a route handler would: the web process enqueues while handling request req-7f.
    const id = await runInRequest('req-7f', () =>
      ctx.services.jobs.enqueue('media.ingest', { mediaId }),
    );
    expect(id).toBeTruthy();
    // The payload carries the request id beside the job's own data.
    const stored = await ctx.services.database.pool.query<{ data: Record<string, unknown> }>(
      'SELECT data FROM pgboss.job WHERE id = $1',
      [id],
    );
    expect(stored.rows[0]!.data).toEqual({ mediaId, _meta: { requestId: 'req-7f' } });

    const line = await waitFor(id!);
    expect(line).toBe(
      `job failed: media.ingest ${id} (request req-7f): DrizzleQueryError (DatabaseError 42P01)`,
    );
    expect(line).not.toContain('Okafor');
    expect(line).not.toContain(mediaId);
    // And it is counted by name for /metrics.
    const metrics = await worker.metrics.text();
    expect(metrics).toMatch(/^lanyard_jobs_total\{name="media\.ingest",outcome="failed"\} 1$/m);
    // Another process (here the test's own, with no workers) sees it in the shared queue.
    // The worker logs the failure before pg-boss records it, so the job may still read as active
    // for a moment: wait (up to 15 s) for the queue's own state to move on.
    const failedInQueue =
      /^lanyard_jobs_in_queue\{name="media\.ingest",state="(retry|failed)"\} [1-9]\d*$/m;
    let elsewhere = await ctx.platform.metrics.text();
    for (let i = 0; i < 150 && !failedInQueue.test(elsewhere); i++) {
      await new Promise((r) => setTimeout(r, 100));
      elsewhere = await ctx.platform.metrics.text();
    }
    expect(elsewhere).not.toMatch(/^lanyard_jobs_total\{/m);
    expect(elsewhere).toMatch(failedInQueue);
  });

  it('a job enqueued outside any request (a schedule, the CLI) has no request id, and its handler sees only its own data', async () => {
    const id = await ctx.services.jobs.enqueue('media.ingest', {
      mediaId: '00000000-0000-4000-8000-00000000beef',
    });
    const line = await waitFor(id!);
    expect(line).toBe(`job failed: media.ingest ${id}: DrizzleQueryError (DatabaseError 42P01)`);
    // runNow (a request's job run at once in the web process) unwraps the same way; if the
    // worker's poll takes the job first, its handler is given the same data.
    const requested = await runInRequest('req-80', () =>
      ctx.services.jobs.enqueue('policy.review-reminder', { schoolId: 'school-x' }),
    );
    expect(requested).toBeTruthy();
    worker.jobs.runNow('policy.review-reminder', async (data) => {
      seen.push(data);
    });
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([{ schoolId: 'school-x' }]);
  });
});
