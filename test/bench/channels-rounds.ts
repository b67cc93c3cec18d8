import { performance } from 'node:perf_hooks';
import type { OutgoingPost } from '../../src/modules/publishing/channel-adapter.ts';
import { median, round } from './support.ts';

/** The post both channels' benchmarks publish: a sports day with these photos. */
export function benchPost(n: number, images: OutgoingPost['images']): OutgoingPost {
  return {
    publicationId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    idempotencyKey: `bench-${Date.now()}-${n}`,
    title: 'Sports day',
    text: 'Year 3 ran the relay in the sun, and everyone cheered at the finish line.',
    images,
    newsUrl: null,
    publishedAt: new Date(),
  };
}

/**
 * A channel's rounds: each a bare authenticated GET on the same server (the baseline), a publish
 * and its takedown, one after another; the first `warmup` rounds are not counted. The medians,
 * publish and takedown rounded to 0.1 ms and the GET to 0.01 ms, and their ratios to the GET.
 */
export async function timePublishRounds(options: {
  warmup: number;
  rounds: number;
  bareGet: () => Promise<void>;
  publish: (n: number) => Promise<{ remoteId: string }>;
  remove: (remoteId: string) => Promise<void>;
}) {
  const gets: number[] = [];
  const publishes: number[] = [];
  const takedowns: number[] = [];
  for (let r = 0; r < options.warmup + options.rounds; r++) {
    let t = performance.now();
    await options.bareGet();
    const get = performance.now() - t;
    t = performance.now();
    const ref = await options.publish(r);
    const publish = performance.now() - t;
    t = performance.now();
    await options.remove(ref.remoteId);
    const takedown = performance.now() - t;
    if (r >= options.warmup) {
      gets.push(get);
      publishes.push(publish);
      takedowns.push(takedown);
    }
  }
  const get = median(gets);
  return {
    publishP50Ms: round(median(publishes), 1),
    takedownP50Ms: round(median(takedowns), 1),
    getP50Ms: round(get, 2),
    publishRatio: round(median(publishes) / get, 1),
    takedownRatio: round(median(takedowns) / get, 1),
  };
}
