import autocannon from 'autocannon';
import type { Options, Result } from 'autocannon';

/**
 * Load in rounds: a benchmark's targets take turns in short slices so that other work on a shared
 * machine, which comes and goes, weighs on the baseline and the targets alike; each target's
 * slices are then merged as if they had been one run. Shared by bench:http and bench:consent.
 */

/** What autocannon returns with `skipAggregateResult`: raw histograms and counts. */
export interface RawRun {
  totalCompletedRequests: number;
  duration: number;
}

const aggregateResult = (
  autocannon as unknown as {
    aggregateResult(runs: RawRun[], opts: { url: string; connections: number }): Result;
  }
).aggregateResult;

/** One slice of load on a target, kept raw so that the slices can be merged. */
export async function loadRaw(options: Options & Record<string, unknown>): Promise<RawRun> {
  return (await autocannon({
    timeout: 10,
    ...options,
    skipAggregateResult: true, // not in the type definitions
  } as Options)) as unknown as RawRun;
}

/** A target's figures over all its slices: latencies over every request, rps over all time. */
export function mergeRuns(url: string, connections: number, runs: RawRun[]) {
  const all = aggregateResult(runs, { url, connections });
  const requests = runs.reduce((n, r) => n + r.totalCompletedRequests, 0);
  const seconds = runs.reduce((n, r) => n + r.duration, 0);
  return {
    rps: requests / seconds,
    requests,
    p50: all.latency.p50,
    p99: all.latency.p99,
    max: all.latency.max,
    non2xx: all.non2xx,
    errors: all.errors,
    timeouts: all.timeouts,
  };
}
