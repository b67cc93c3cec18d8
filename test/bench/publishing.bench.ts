/**
 * `npm run bench:publishing` — publishing at scale (issue 12, "Tests and benchmark"). Not a test:
 * it prints figures, and its last line is one JSON object.
 *
 * 1. The checks (test/bench/publishing-checks.bench.ts, reused): all checks for a post with 3
 *    photos, 30 tagged pupils and 400 words in a 2,000-pupil school (`check_p99_ms`, target
 *    < 20), and the name check's p99 at 50,000 names over 2,000 (`name_scan_growth`, ≤ 1.5).
 * 2. A fresh database `lanyard_bench_publishing` on BENCH_PG_URL (default the machine's
 *    postgres://postgres@127.0.0.1:5432/postgres), migrated with the real migrations; real
 *    services (a face detector that finds one face in the middle of every photo).
 * 3. `takedown_fanout_ms` (test/bench/takedown-fanout.ts, shared with the database test): a pupil
 *    in 1,000 live news items, a withdrawal for the website commits, the time until every
 *    takedown task exists (target < 2,000).
 * 4. `race_trials` / `race_violations` (test/support/publishing-race.ts): a withdrawal raced
 *    against a publish BENCH_RACE_TRIALS times (default 1,000); violations must be 0.
 * 5. `feed_ratio`: 1,000 live posts on another school's news page, the real server
 *    (`dist/main.js web` as `npm start` runs it, or tsx with BENCH_TSX=1; NODE_ENV=production,
 *    its own process) under autocannon at 32
 *    connections: the Atom feed against /healthz, taking turns in 5 rounds (target ≥ 0.5).
 *
 * Environment: BENCH_PG_URL, BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 5),
 * BENCH_CONNECTIONS (default 32), BENCH_RACE_TRIALS (default 1000).
 */
import fs from 'node:fs';
import { createPlatform, createServices } from '../../src/container.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { createSchool, grantConsentForAll } from '../support/factories.ts';
import { oneFace } from '../support/publishing.ts';
import { raceWithdrawalAgainstPublish } from '../support/publishing-race.ts';
import { addChannel, addPost, addPublications } from '../support/publishing-seed.ts';
import { makeDataDir } from '../support/lanyard-process.ts';
import {
  benchConfig,
  dropDatabase,
  expectNoErrors,
  freshDatabase,
  loadInRounds,
  machineLine,
  printFigures,
  round,
  runBench,
  say,
  startBenchServer,
} from './support.ts';
import { runPublishingChecksBench, TARGET as CHECK_TARGET } from './publishing-checks.bench.ts';
import { takedownFanoutMs } from './takedown-fanout.ts';

const DB_NAME = 'lanyard_bench_publishing';
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const RACE_TRIALS = Number(process.env.BENCH_RACE_TRIALS ?? 1000);
const FEED_POSTS = 1000;

export const TARGET = {
  check_p99_ms: `< ${CHECK_TARGET.checkP99Ms}`,
  name_scan_growth: `<= ${CHECK_TARGET.nameScanGrowth}`,
  feed_ratio: '>= 0.5',
  takedown_fanout_ms: '< 2000',
  race_trials: '>= 1000',
  race_violations: '= 0',
} as const;

async function main(): Promise<void> {
  say(machineLine('publishing'));

  say('1. Pre-publication checks');
  const checks = await runPublishingChecksBench((l) => say(`   ${l}`));

  say('2. Database');
  const url = await freshDatabase(DB_NAME);
  const dataDir = makeDataDir('lanyard-bench-publishing-');
  const sink = new SmtpSink();
  await sink.start(0);
  const config = benchConfig({ url, dataDir, smtpUrl: sink.url });
  const platform = await createPlatform(config, { supervise: false, faces: oneFace });
  const services = createServices(platform);
  let figures: Record<string, unknown> = {};
  try {
    say('3. Takedown fan-out (a pupil in 1,000 live items)');
    const fanSchool = await createSchool(services, {
      slug: 'bench-fanout',
      pupils: 20,
      template: 'the-avenue-primary',
    });
    await grantConsentForAll(services, fanSchool);
    const fan = await takedownFanoutMs(services, fanSchool, { publications: 1000 });
    say(`   ${fan.tasks} tasks in ${fan.ms.toFixed(0)} ms after the withdrawal committed`);
    if (fan.tasks !== 1000) throw new Error(`expected 1,000 takedown tasks, got ${fan.tasks}`);

    say(`4. Withdrawal against publish, ${RACE_TRIALS} races`);
    const raceSchool = await createSchool(services, { slug: 'bench-race', pupils: 3 });
    await grantConsentForAll(services, raceSchool);
    const race = await raceWithdrawalAgainstPublish(services, raceSchool, {
      trials: RACE_TRIALS,
    });
    say(
      `   ${race.trials} trials in ${(race.ms / 1000).toFixed(1)} s: published first ${race.publishedFirst}, ` +
        `withdrawal won ${race.withdrawalWon}, violations ${race.violations}`,
    );

    say(`5. Atom feed with ${FEED_POSTS} posts against /healthz`);
    const feedSchool = await createSchool(services, {
      slug: 'bench-feed',
      pupils: 10,
      template: 'the-avenue-primary',
    });
    const newsId = await addChannel(services, feedSchool.school.id, {
      kind: 'news',
      name: 'School news page',
      purposeKey: 'school_website',
    });
    const postId = await addPost(
      services,
      feedSchool.school.id,
      feedSchool.staff.teacher.id,
      'Sports day',
      'Our pupils ran, jumped and cheered on a bright morning.',
    );
    await addPublications(services, {
      schoolId: feedSchool.school.id,
      postId,
      accountId: newsId,
      purposeKey: 'school_website',
      pupilIds: [],
      count: FEED_POSTS,
    });
    await platform.close();

    const feed = await measureFeed(url, dataDir, sink.url, `/news/bench-feed/feed.atom`);
    figures = {
      check_p99_ms: checks.check_p99_ms,
      name_scan_growth: checks.name_scan_growth,
      feed_ratio: feed.ratio,
      takedown_fanout_ms: round(fan.ms, 1),
      race_trials: race.trials,
      race_violations: race.violations,
      feed_rps: round(feed.feed.rps, 0),
      healthz_rps: round(feed.healthz.rps, 0),
      feed_p99_ms: feed.feed.p99,
      check_p50_ms: checks.check_p50_ms,
      race_published_first: race.publishedFirst,
      race_withdrawal_won: race.withdrawalWon,
      targets: TARGET,
      targets_met:
        checks.check_p99_ms < CHECK_TARGET.checkP99Ms &&
        checks.name_scan_growth <= CHECK_TARGET.nameScanGrowth &&
        feed.ratio >= 0.5 &&
        fan.ms < 2000 &&
        race.trials >= 1000 &&
        race.violations === 0,
    };
  } finally {
    await platform.close().catch(() => undefined);
    await sink.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
    await dropDatabase(DB_NAME);
  }
  printFigures(figures);
}

/** The real server in its own process: the feed and /healthz taking turns in rounds. */
async function measureFeed(url: string, dataDir: string, smtpUrl: string, path: string) {
  const server = await startBenchServer({ url, dataDir, smtpUrl });
  try {
    const feedUrl = `${server.base}${path}`;
    const probe = await fetch(feedUrl);
    const text = await probe.text();
    if (probe.status !== 200 || !text.includes('<feed'))
      throw new Error(`GET ${path} → ${probe.status}: ${text.slice(0, 200)}`);
    say(`   the feed is ${text.length} bytes with ${text.split('<entry').length - 1} entries`);
    const { healthz, feed } = await loadInRounds({
      targets: [
        { name: 'healthz', url: `${server.base}/healthz` },
        { name: 'feed', url: feedUrl },
      ],
      connections: CONNECTIONS,
      rounds: ROUNDS,
      slice: Math.max(1, Math.round(DURATION / ROUNDS)),
    });
    const ratio = round(feed.rps / healthz.rps, 3);
    say(
      `   /healthz ${Math.round(healthz.rps)} req/s (p99 ${healthz.p99} ms); feed ${Math.round(feed.rps)} req/s ` +
        `(p50 ${feed.p50} ms, p99 ${feed.p99} ms, non-2xx ${feed.non2xx}); ratio ${ratio} (target ≥ 0.5)`,
    );
    expectNoErrors('the feed', feed);
    return { healthz, feed, ratio };
  } finally {
    await server.stop();
  }
}

runBench(main);
