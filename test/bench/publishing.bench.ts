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
 *    (`src/main.ts web`, NODE_ENV=production, its own process) under autocannon at 32
 *    connections: the Atom feed against /healthz, taking turns in 5 rounds (target ≥ 0.5).
 *
 * Environment: BENCH_PG_URL, BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 5),
 * BENCH_CONNECTIONS (default 32), BENCH_RACE_TRIALS (default 1000).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import { runMigrations } from '../../src/platform/db/migrate.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { randomToken } from '../../src/platform/crypto.ts';
import { createSchool, grantConsentForAll } from '../support/factories.ts';
import { oneFace } from '../support/publishing.ts';
import { raceWithdrawalAgainstPublish } from '../support/publishing-race.ts';
import { addChannel, addPost, addPublications } from '../support/publishing-seed.ts';
import {
  freePort,
  makeDataDir,
  startLanyard,
  stopLanyard,
  withTimeout,
} from '../support/lanyard-process.ts';
import { loadRaw, mergeRuns, type RawRun } from './rounds.ts';
import { runPublishingChecksBench, TARGET as CHECK_TARGET } from './publishing-checks.bench.ts';
import { takedownFanoutMs } from './takedown-fanout.ts';

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
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

const say = (line: string) => process.stdout.write(`${line}\n`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${DB_NAME}"`);
  } finally {
    await admin.end();
  }
  const url = dbUrl(DB_NAME);
  await runMigrations(url);
  return url;
}

async function dropDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`).catch(() => undefined);
  await admin.end();
}

async function main(): Promise<void> {
  say(
    `Lanyard publishing benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}`,
  );

  say('1. Pre-publication checks');
  const checks = await runPublishingChecksBench((l) => say(`   ${l}`));

  say('2. Database');
  const url = await freshDatabase();
  const dataDir = makeDataDir('lanyard-bench-publishing-');
  const sink = new SmtpSink();
  await sink.start(0);
  const sessionSecret = randomToken(32);
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    SESSION_SECRET: sessionSecret,
    EVIDENCE_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: sink.url,
    BASE_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'silent',
  });
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
    await dropDatabase();
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** The real server in its own process: the feed and /healthz taking turns in rounds. */
async function measureFeed(url: string, dataDir: string, smtpUrl: string, path: string) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startLanyard({
    dataDir,
    port,
    pgPort: await freePort(),
    args: ['web'],
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: url,
      SESSION_SECRET: randomToken(32),
      EVIDENCE_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: smtpUrl,
      BASE_URL: base,
      DEMO_SEED: 'false',
      LOG_LEVEL: 'warn',
      API_RATE_LIMIT: '0',
    },
  });
  try {
    await withTimeout(server.ready, 120_000, 'server start');
    const probe = await fetch(`${base}${path}`);
    const text = await probe.text();
    if (probe.status !== 200 || !text.includes('<feed'))
      throw new Error(`GET ${path} → ${probe.status}: ${text.slice(0, 200)}`);
    say(`   the feed is ${text.length} bytes with ${text.split('<entry').length - 1} entries`);
    const warm = Math.max(1, Math.round(DURATION / ROUNDS));
    await loadRaw({ url: `${base}/healthz`, connections: CONNECTIONS, duration: warm });
    await loadRaw({ url: `${base}${path}`, connections: CONNECTIONS, duration: warm });
    const healthzRuns: RawRun[] = [];
    const feedRuns: RawRun[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      healthzRuns.push(
        await loadRaw({ url: `${base}/healthz`, connections: CONNECTIONS, duration: warm }),
      );
      feedRuns.push(
        await loadRaw({ url: `${base}${path}`, connections: CONNECTIONS, duration: warm }),
      );
    }
    const healthz = mergeRuns(`${base}/healthz`, CONNECTIONS, healthzRuns);
    const feed = mergeRuns(`${base}${path}`, CONNECTIONS, feedRuns);
    const ratio = round(feed.rps / healthz.rps, 3);
    say(
      `   /healthz ${Math.round(healthz.rps)} req/s (p99 ${healthz.p99} ms); feed ${Math.round(feed.rps)} req/s ` +
        `(p50 ${feed.p50} ms, p99 ${feed.p99} ms, non-2xx ${feed.non2xx}); ratio ${ratio} (target ≥ 0.5)`,
    );
    if (feed.non2xx > 0 || feed.errors > 0)
      throw new Error(`the feed answered ${feed.non2xx} non-2xx and ${feed.errors} errors`);
    return { healthz, feed, ratio };
  } finally {
    await stopLanyard(server, 10_000).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
