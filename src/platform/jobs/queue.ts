import PgBoss from 'pg-boss';
import type { Tx } from '../db/database.ts';
import { serializeError } from '../logger.ts';
import { currentRequestId } from '../request-context.ts';

export class MissingJobHandlerError extends Error {}

/** The error as the logs show it (platform/logger serializeError), safe to store. */
function withoutValues(error: unknown): Error {
  const safe = serializeError(error);
  const cause = safe.cause as { message?: string } | undefined;
  const out = new Error(cause?.message ? `${safe.message} (${cause.message})` : safe.message);
  out.name = safe.type;
  out.stack = `${safe.type}: ${out.message}\n${safe.stack}`;
  return out;
}

/**
 * Where a job's payload keeps what is not the job's own data: the id of the request that
 * enqueued it. Handlers receive the payload without it.
 */
const META = '_meta';

interface JobMeta {
  requestId?: string;
}

function unwrap<T extends object>(data: T): { data: T; meta: JobMeta } {
  if (data && typeof data === 'object' && META in data) {
    const { [META]: meta, ...rest } = data as T & { [META]: JobMeta };
    return { data: rest as T, meta: meta ?? {} };
  }
  return { data, meta: {} };
}

/** One job run, for the log and the metrics: ids, names and the error's class/code only. */
export interface JobRun {
  name: string;
  id: string;
  /** The request that enqueued the job, if one did. */
  requestId: string | undefined;
  outcome: 'completed' | 'failed';
  ms: number;
  /** "DrizzleQueryError (DatabaseError 23505)": class and code, never the message. */
  error?: string;
}

export interface EnqueueOptions {
  /** Enqueue inside this transaction: the job exists only if the change commits. */
  tx?: Tx;
  startAfter?: Date | number;
  singletonKey?: string;
}

/**
 * pg-boss behind a typed registry: P maps each job name to its payload. Every name in the registry
 * must have a handler before workers start.
 */
export class JobQueue<P extends { [K in keyof P]: object }> {
  private readonly boss: PgBoss;
  private started = false;
  private stopping = false;

  constructor(
    url: string,
    readonly names: readonly (keyof P & string)[],
    private readonly options: {
      supervise: boolean;
      schedule: boolean;
      onError?: (e: Error) => void;
      /** Every job run by this process, finished or failed (logs, metrics). */
      onJob?: (run: JobRun) => void;
    },
  ) {
    this.boss = new PgBoss({
      connectionString: url,
      schema: 'pgboss',
      // pg-boss only ever runs single pool.query calls (polling, completing, maintenance, cron;
      // never a checked-out client), Lanyard enqueues inside its own transactions, and handlers
      // work through the app's pool: one connection keeps up and cannot deadlock. Each pooled
      // connection is a PostgreSQL backend (~18 MB RSS) held for as long as workers poll.
      max: 1,
      application_name: 'lanyard-jobs',
      supervise: options.supervise,
      schedule: options.schedule,
      migrate: true,
    });
    // Once stop() has begun, workers have finished (graceful stop) and an error can only come from
    // an idle pooled connection being closed by the database shutting down: not worth reporting.
    this.boss.on('error', (error: Error) => {
      if (!this.stopping) options.onError?.(error);
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    for (const name of this.names) await this.boss.createQueue(name);
    this.started = true;
  }

  async enqueue<N extends keyof P & string>(
    name: N,
    data: P[N],
    options: EnqueueOptions = {},
  ): Promise<string | null> {
    const tx = options.tx;
    const requestId = currentRequestId();
    const payload = requestId ? { ...data, [META]: { requestId } satisfies JobMeta } : data;
    return this.boss.send(name, payload, {
      startAfter: options.startAfter instanceof Date ? options.startAfter : options.startAfter,
      singletonKey: options.singletonKey,
      retryLimit: 3,
      retryBackoff: true,
      db: tx ? { executeSql: (text, values) => tx.client.query(text, values) } : undefined,
    });
  }

  /** Starts workers. Throws before anything runs if any registered job lacks a handler. */
  async work(handlers: {
    [N in keyof P & string]: (data: P[N], jobId: string) => Promise<void>;
  }): Promise<void> {
    const missing = this.names.filter((n) => typeof handlers[n] !== 'function');
    if (missing.length > 0) {
      throw new MissingJobHandlerError(`No handler registered for job(s): ${missing.join(', ')}`);
    }
    for (const name of this.names) {
      const handler = handlers[name];
      await this.boss.work<P[typeof name]>(name, { batchSize: 1 }, async (jobs) => {
        for (const job of jobs) {
          const { data, meta } = unwrap(job.data);
          const started = performance.now();
          try {
            await handler(data, job.id);
            this.report(name, job.id, meta, started);
          } catch (error) {
            // pg-boss keeps a failed job's error in its table: class, code and frames only, as in
            // the logs (a failed query's message holds its parameters).
            const safe = withoutValues(error);
            this.report(name, job.id, meta, started, safe);
            throw safe;
          }
        }
      });
    }
  }

  private report(name: string, id: string, meta: JobMeta, started: number, error?: Error): void {
    this.options.onJob?.({
      name,
      id,
      requestId: meta.requestId,
      outcome: error ? 'failed' : 'completed',
      ms: Math.round(performance.now() - started),
      ...(error ? { error: error.message } : {}),
    });
  }

  private readonly running = new Set<Promise<void>>();

  /**
   * Runs queued jobs of one name in this process now, off the caller's path (after a request has
   * enqueued one, so its email goes at once rather than at a worker's next poll). Each job is
   * fetched with SKIP LOCKED, so a worker never runs the same one; a failure is left to pg-boss's
   * retries. Stopping the queue waits for these runs.
   */
  runNow<N extends keyof P & string>(name: N, handler: (data: P[N]) => Promise<void>): void {
    if (!this.started || this.stopping) return;
    const run = (async () => {
      const jobs = await this.boss.fetch<P[N]>(name, { batchSize: 5 });
      for (const job of jobs ?? []) {
        const { data, meta } = unwrap(job.data);
        const started = performance.now();
        try {
          await handler(data);
          await this.boss.complete(name, job.id);
          this.report(name, job.id, meta, started);
        } catch (error) {
          // Class only: the job's data stays in the queue, never in a log.
          this.report(name, job.id, meta, started, withoutValues(error));
          await this.boss.fail(name, job.id, { error: 'failed when run at once' });
        }
      }
    })()
      .catch(() => undefined)
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async schedule<N extends keyof P & string>(name: N, cron: string, data: P[N]): Promise<void> {
    await this.boss.schedule(name, cron, data, { tz: 'Europe/London' });
  }

  /**
   * Resolves once the jobs started by `runNow` have finished, or after `timeoutMs` (a job stuck
   * on a dead database must not hold a shutdown for ever; pg-boss retries what did not finish).
   */
  async idle(timeoutMs = 10_000): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.running]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.stopping = true;
    await this.idle();
    await this.boss.stop({ graceful: true, wait: true, timeout: 20_000 });
  }
}
