import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobRun } from './jobs/queue.ts';

/** Hits and misses of a cache, read when /metrics is scraped. */
export interface CacheStats {
  hits: number;
  misses: number;
}

/** Jobs in the queue's table by name and state (created, retry, active, completed, failed…). */
export type JobStateCount = { name: string; state: string; count: number };

/**
 * The process's metrics in Prometheus form (prom-client, ADR 0017), on a registry of its own (not
 * prom-client's global one), so two apps in one process, as in the tests, never share counters.
 * Labels are route patterns, job names and outcomes only: never ids, addresses or query strings.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly caches = new Map<string, () => CacheStats>();
  private jobStates: (() => Promise<JobStateCount[]>) | undefined;

  private readonly requestSeconds = new Histogram({
    name: 'lanyard_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly jobs = new Counter({
    name: 'lanyard_jobs_total',
    help: 'Jobs run by this process, by job name and outcome (completed or failed).',
    labelNames: ['name', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly jobSeconds = new Histogram({
    name: 'lanyard_job_duration_seconds',
    help: 'Time a job took in this process, by job name.',
    labelNames: ['name'] as const,
    buckets: [0.01, 0.05, 0.25, 1, 5, 30, 120, 600],
    registers: [this.registry],
  });

  constructor() {
    // The process's memory, CPU, event-loop delay and handles (process_*, nodejs_*).
    collectDefaultMetrics({ register: this.registry });
    const jobStates = () => this.jobStates?.() ?? Promise.resolve([]);
    new Gauge({
      name: 'lanyard_jobs_in_queue',
      help: 'Jobs in the shared queue (every process), by job name and state; failed jobs stay until pg-boss archives them.',
      labelNames: ['name', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        // The database may be away: /metrics still answers, without this gauge's samples.
        const counts = await jobStates().catch(() => []);
        for (const c of counts) this.set({ name: c.name, state: c.state }, c.count);
      },
    });
    const caches = this.caches;
    const counter = (name: string, help: string, key: keyof CacheStats) =>
      new Counter({
        name,
        help,
        labelNames: ['cache'] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [cache, stats] of caches) this.inc({ cache }, stats()[key]);
        },
      });
    counter('lanyard_cache_hits_total', 'Answers a cache gave from memory, by cache.', 'hits');
    counter('lanyard_cache_misses_total', 'Answers a cache had to read first, by cache.', 'misses');
  }

  /** One answered request. `route` is the route's pattern (`/pupils/:id`), never its URL. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.requestSeconds.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** One job run (JobQueue's onJob). */
  observeJob(run: JobRun): void {
    this.jobs.inc({ name: run.name, outcome: run.outcome });
    this.jobSeconds.observe({ name: run.name }, run.ms / 1000);
  }

  /** Where the queue's jobs are counted by name and state, read when /metrics is scraped. */
  watchJobStates(read: () => Promise<JobStateCount[]>): void {
    this.jobStates = read;
  }

  /** Reports a cache's hits and misses under `lanyard_cache_*_total{cache="name"}`. */
  watchCache(name: string, stats: () => CacheStats): void {
    this.caches.set(name, stats);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
