/**
 * `npm run bench:http` — HTTP throughput and latency of the real server, plus cold start and
 * idle memory. Not a test: it prints figures, and its last line is one JSON object.
 *
 * 1. Cold start: spawn `node --import tsx src/main.ts all` on an empty data folder (initdb,
 *    migrations, demo seed) until it reports ready over IPC; stop it; start it 3 more times on
 *    the same folder (the median of those is `cold_start_ms`).
 * 2. Idle RSS of the node process and every process under it (the embedded PostgreSQL, tsx's
 *    esbuild helper) after 3 s of idling.
 * 3. A 2,000-pupil school (CLI `create-school` and `create-user`, then bulk pupils and parents
 *    straight into the server's database) and an office account without a second factor.
 * 4. autocannon at 32 connections on loopback for /healthz (the baseline), the dashboard and the
 *    pupil list, signed in with a real session cookie: 2 s warm-up each, then 10 s each in 5
 *    interleaved rounds (see measureAll), latencies merged over all rounds.
 *
 * Steps 1–3 run the development server, the only one that starts the embedded PostgreSQL. With
 * NODE_ENV=development Nunjucks recompiles every template on every render (so template edits
 * show without a restart), which makes pages about 8× slower; that is not what schools run. So
 * step 4 stops it, starts the same embedded PostgreSQL from this process and runs the server
 * with NODE_ENV=production and DATABASE_URL pointing at it: the production code path on the
 * same data. BENCH_LOAD_ENV=development measures the development server instead.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 5), BENCH_CONNECTIONS
 * (default 32), BENCH_PROFILE=1 to count SQL statements per request even when every target is
 * met, BENCH_LOAD_ENV, BENCH_CPU_PROF=<folder> to write a V8 CPU profile of the server under
 * load there, BENCH_NODE_ARGS (e.g. "--max-semi-space-size=8") for every server this starts,
 * BENCH_TSX=1 to run `src/main.ts` through tsx (`npm run dev`) instead of the compiled
 * `dist/main.js` that `npm start` runs (ADR 0033; this benchmark builds it first).
 *
 * Idle memory is measured once the server has been left alone for IDLE_SETTLE_MS (20 s: the
 * connection pool closes a connection idle for 10 s, and the jobs run at start-up have finished),
 * and 3 s after ready as before (`idle_rss_at_3s_*`).
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import pg from 'pg';
import { loadRaw, mergeRuns, type RawRun } from './rounds.ts';
import { expectPage, median, serverEntry, signIn } from './support.ts';
import { Database } from '../../src/platform/db/database.ts';
import {
  lockDataFolder,
  runningEmbeddedUrl,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '../../src/platform/db/embedded.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { randomToken } from '../../src/platform/crypto.ts';
import { generatePeople } from '../../src/demo/generate.ts';
import {
  PeopleBulkRepository,
  PeopleRepository,
} from '../../src/modules/people/people.repository.ts';
import {
  freePort,
  killPostgresFor,
  lanyardEnv,
  makeDataDir,
  memoryOf,
  portInUse,
  postgresPidsUnder,
  repoRoot,
  startLanyard,
  stillRunning,
  stopLanyard,
  withTimeout,
  type LanyardOptions,
  type LanyardProcess,
  type MemoryFigures,
} from '../support/lanyard-process.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const cpuProf = process.env.BENCH_CPU_PROF;
const LOAD_ENV = process.env.BENCH_LOAD_ENV === 'development' ? 'development' : 'production';
const LATER_RUNS = 3;
const PUPILS = 2000;
const SCHOOL_SLUG = 'bench-academy';
const OFFICE_EMAIL = 'office@bench-academy.example';
const OFFICE_PASSWORD = 'bench-password-not-secret-2026';

const TARGET = { ratio: 0.25, p99Ms: 50, coldStartMs: 3000, idleRssMb: 250 };

const say = (m = '') => process.stdout.write(`${m}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------
// Server lifecycle

/**
 * Stops the server and checks the shutdown contract: exit 0 and a clean message, and when it ran
 * the embedded PostgreSQL, no postgres process, postmaster.pid or open port left behind.
 */
async function stopChecked(proc: LanyardProcess, ownsPostgres = true): Promise<{ stopMs: number }> {
  const pgPids = postgresPidsUnder(proc.pid);
  const { code, signal, stopMs } = await stopLanyard(proc);
  const problems: string[] = [];
  if (code !== 0) problems.push(`exit code ${code} (signal ${signal})`);
  if (!proc.output().includes('Stopped cleanly')) problems.push('no "Stopped cleanly" message');
  if (ownsPostgres) {
    await sleep(200);
    const left = stillRunning(pgPids);
    if (left.length > 0) problems.push(`postgres processes still running: ${left.join(', ')}`);
    if (fs.existsSync(`${proc.options.dataDir}/postgres/postmaster.pid`))
      problems.push('postmaster.pid left behind');
    if (await portInUse(proc.options.pgPort)) problems.push('the PostgreSQL port is still open');
  }
  if (problems.length > 0) {
    throw new Error(`Unclean shutdown: ${problems.join('; ')}\n--- output ---\n${proc.output()}`);
  }
  return { stopMs };
}

/** Node flags for every server this starts (BENCH_NODE_ARGS, split on spaces). */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
/** How long the server has been left alone when idle memory is measured (see the top). */
const IDLE_SETTLE_MS = 20_000;

/**
 * Every server runs `dist/main.js`, as `npm start` does (ADR 0033), built at the start of the
 * run; BENCH_TSX=1 runs `src/main.ts` through tsx instead (`npm run dev`).
 */
const BUILT = process.env.BENCH_TSX !== '1';
const ENTRY = serverEntry();

async function startReady(options: LanyardOptions, what: string) {
  const proc = startLanyard({
    ...options,
    nodeArgs: [...NODE_ARGS, ...(options.nodeArgs ?? [])],
    ...ENTRY,
  });
  const ready = await withTimeout(proc.ready, 120_000, what);
  return { proc, ready };
}

// ---------------------------------------------------------------------------------------------
// Data: a 2,000-pupil school

function runCli(options: LanyardOptions, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      cwd: repoRoot,
      env: lanyardEnv({ ...options, env: { ...options.env, LANYARD_PASSWORD: OFFICE_PASSWORD } }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`lanyard ${args.join(' ')} → ${code}\n${out}`)),
    );
  });
}

async function createBigSchool(options: LanyardOptions): Promise<void> {
  await runCli(options, [
    'create-school',
    '--name',
    'Bench Academy',
    '--slug',
    SCHOOL_SLUG,
    '--template',
    'jump-primary',
  ]);
  await runCli(options, [
    'create-user',
    '--school',
    SCHOOL_SLUG,
    '--email',
    OFFICE_EMAIL,
    '--name',
    'Bench Office',
    '--role',
    'office',
  ]);
  const database = new Database(runningEmbeddedUrl(options.dataDir, options.pgPort), { max: 2 });
  try {
    const school = await new PeopleRepository().getSchoolBySlug(database.db, SCHOOL_SLUG);
    if (!school) throw new Error('create-school did not create the school');
    const generated = generatePeople({
      schoolId: school.id,
      pupils: PUPILS,
      classesPerYear: 3,
      today: new Date(),
      seed: 2000,
      emailDomain: 'bench-academy.example',
      misPrefix: 'Z',
    });
    const bulk = new PeopleBulkRepository();
    await database.transaction(async (tx) => {
      await bulk.insertFamilies(tx.db, school.id, generated);
    });
    await database.pool.query('ANALYZE pupils, parents, pupil_parents');
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface Measured {
  name: string;
  path: string;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

async function load(url: string, cookie: string | undefined, duration: number): Promise<Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    timeout: 10,
    headers: cookie ? { cookie } : {},
  });
}

/**
 * One target's figures over all its rounds: the latency histograms are merged, so p50 and p99
 * are over every request of every round, as if it had been one run.
 */
function combine(name: string, url: string, path: string, runs: RawRun[]): Measured {
  const m = mergeRuns(url, CONNECTIONS, runs);
  return { name, path, ...m, rps: round(m.rps, 0) };
}

/**
 * Every target warms up, then the targets take turns for ROUNDS rounds of DURATION/ROUNDS
 * seconds each (baseline, dashboard, pupils, baseline, …), so that other work on a shared
 * machine, which comes and goes, weighs on the baseline and the pages alike instead of on
 * whichever target happened to run at the time. Each target still gets DURATION seconds.
 */
async function measureAll(
  base: string,
  targets: { name: string; path: string; cookie?: string }[],
): Promise<Measured[]> {
  for (const t of targets) await load(base + t.path, t.cookie, WARMUP);
  const runs = targets.map(() => [] as RawRun[]);
  const slice = Math.max(1, Math.round(DURATION / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries())
      runs[i]!.push(
        await loadRaw({
          url: base + t.path,
          connections: CONNECTIONS,
          duration: slice,
          headers: t.cookie ? { cookie: t.cookie } : {},
        }),
      );
  }
  return targets.map((t, i) => combine(t.name, base + t.path, t.path, runs[i]!));
}

/**
 * SQL statements per request, from pg_stat_database. Backends publish their counters at most
 * once a second and up to 10 s after going idle, so each window ends with an 11 s wait; the
 * background rate (pg-boss polling) is measured over an idle window and subtracted.
 */
async function statementsPerRequest(
  dbUrl: string,
  targets: { name: string; url: string; cookie: string }[],
): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const count = async () => {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const r = await client.query<{ n: string }>(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(r.rows[0]!.n) - 1; // this query's own transaction
  };
  const settle = 11_000;
  const n = 200;
  const out: Record<string, number> = {};
  try {
    await sleep(settle);
    const idleStart = await count();
    await sleep(settle);
    const idleRate = ((await count()) - idleStart - 1) / settle;
    for (const t of targets) {
      const before = await count();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await fetch(t.url, { headers: { cookie: t.cookie } });
        await res.arrayBuffer();
      }
      await sleep(settle);
      const elapsed = performance.now() - t0;
      const after = await count();
      out[t.name] = round((after - before - 1 - idleRate * elapsed) / n, 2);
    }
  } finally {
    await client.end();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dataDir = makeDataDir('lanyard-bench-');
  const options: LanyardOptions = { dataDir, port: await freePort(), pgPort: await freePort() };
  const base = `http://127.0.0.1:${options.port}`;
  let running: LanyardProcess | undefined;
  let embedded: EmbeddedServer | undefined;
  let unlock: (() => void) | undefined;
  let sink: SmtpSink | undefined;
  say(
    `Lanyard HTTP benchmark — Node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}`,
  );
  say(`data folder ${dataDir}, port ${options.port}, embedded PostgreSQL port ${options.pgPort}`);
  const loadBefore = os.loadavg()[0]!;
  say(
    `load average before: ${loadBefore.toFixed(2)} (other work on the machine skews every figure)`,
  );
  try {
    // 1. Cold start
    const first = await startReady(options, 'first start');
    running = first.proc;
    say(
      `first start (initdb, migrations, demo seed): ${Math.round(first.ready.wallMs)} ms (server's own figure ${first.ready.ms} ms)`,
    );
    await stopChecked(first.proc);
    running = undefined;

    const later: number[] = [];
    const laterOwn: number[] = [];
    let proc: LanyardProcess | undefined;
    for (let i = 0; i < LATER_RUNS; i++) {
      const run = await startReady(options, `start ${i + 2}`);
      running = proc = run.proc;
      later.push(run.ready.wallMs);
      laterOwn.push(run.ready.ms);
      say(
        `later start ${i + 1}: ${Math.round(run.ready.wallMs)} ms (server's own figure ${run.ready.ms} ms)`,
      );
      if (i < LATER_RUNS - 1) {
        const { stopMs } = await stopChecked(run.proc);
        running = undefined;
        say(`  stopped cleanly in ${Math.round(stopMs)} ms`);
      }
    }
    if (!proc) throw new Error('no server');

    // 2. Idle memory
    await sleep(3000);
    const idleAt3s = memoryOf(proc.pid);
    say(
      `memory 3 s after ready: RSS ${idleAt3s.rssMb} MB (node ${idleAt3s.nodeRssMb}, postgres ×${idleAt3s.postgresProcesses} ${idleAt3s.postgresRssMb}, other ${idleAt3s.otherRssMb}); PSS ${idleAt3s.pssMb} MB`,
    );
    await sleep(IDLE_SETTLE_MS - 3000);
    const idle = memoryOf(proc.pid);
    say(
      `idle memory: RSS ${idle.rssMb} MB (node ${idle.nodeRssMb}, postgres ×${idle.postgresProcesses} ${idle.postgresRssMb}, other ${idle.otherRssMb}); PSS ${idle.pssMb} MB`,
    );

    // 3. Data and sign-in
    const t0 = performance.now();
    await createBigSchool(options);
    say(`created a ${PUPILS}-pupil school in ${Math.round(performance.now() - t0)} ms`);
    // The server under load: production (see the top of this file) or the development one.
    let server = proc;
    let loadOwnsPostgres = true;
    if (LOAD_ENV === 'production') {
      const { stopMs } = await stopChecked(proc);
      running = undefined;
      say(`stopped the development server cleanly in ${Math.round(stopMs)} ms`);
      unlock = lockDataFolder(dataDir);
      embedded = await startEmbeddedPostgres({ dataDir, port: options.pgPort });
      sink = new SmtpSink();
      await sink.start(0);
      const prod = await startReady(
        {
          ...options,
          env: {
            NODE_ENV: 'production',
            DATABASE_URL: embedded.url,
            SESSION_SECRET: randomToken(32),
            EVIDENCE_KEY: randomBytes(32).toString('base64'),
            SMTP_URL: sink.url,
            BASE_URL: base,
            DEMO_SEED: 'false',
          },
          ...(cpuProf ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] } : {}),
        },
        'production start',
      );
      running = server = prod.proc;
      loadOwnsPostgres = false;
      say(
        `production server (DATABASE_URL = the same embedded PostgreSQL) ready in ${Math.round(prod.ready.wallMs)} ms`,
      );
    }
    const cookie = await signIn(base, OFFICE_EMAIL, OFFICE_PASSWORD, { strict: true });
    await expectPage(`${base}/`, cookie, /Pupils on roll/);
    await expectPage(`${base}/pupils`, cookie, new RegExp(`Pupils \\(${PUPILS}\\)`));

    // 4. Load
    say(
      `\nautocannon: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per target in ${ROUNDS} interleaved rounds, NODE_ENV=${LOAD_ENV}`,
    );
    const [baseline, dashboard, pupils] = (await measureAll(base, [
      { name: 'baseline', path: '/healthz' },
      { name: 'dashboard', path: '/', cookie },
      { name: 'pupils', path: '/pupils', cookie },
    ])) as [Measured, Measured, Measured];
    await sleep(3000);
    const loaded: MemoryFigures = memoryOf(server.pid);

    const ratio = (m: Measured) => round(m.rps / baseline.rps, 3);
    const meets = (m: Measured) =>
      ratio(m) >= TARGET.ratio && m.p99 < TARGET.p99Ms && m.non2xx === 0 && m.errors === 0;
    const rows = [baseline, dashboard, pupils];
    say('');
    say(
      `${'target'.padEnd(10)} ${'path'.padEnd(9)} ${'req/s'.padStart(8)} ${'ratio'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)} ${'requests'.padStart(9)} ${'non-2xx'.padStart(8)} ${'errors'.padStart(7)}  verdict`,
    );
    for (const m of rows) {
      const verdict = m === baseline ? '' : meets(m) ? 'ok' : 'MISSES TARGET';
      say(
        `${m.name.padEnd(10)} ${m.path.padEnd(9)} ${String(m.rps).padStart(8)} ${ratio(m).toFixed(3).padStart(6)} ${String(m.p50).padStart(7)} ${String(m.p99).padStart(7)} ${String(m.max).padStart(7)} ${String(m.requests).padStart(9)} ${String(m.non2xx).padStart(8)} ${String(m.errors + m.timeouts).padStart(7)}  ${verdict}`,
      );
    }
    const coldLater = Math.round(median(later));
    say('');
    say(
      `cold start: first ${Math.round(first.ready.wallMs)} ms, later runs ${later.map((l) => Math.round(l)).join(' / ')} ms (median ${coldLater} ms, target < ${TARGET.coldStartMs}) ${coldLater < TARGET.coldStartMs ? 'ok' : 'MISSES TARGET'}`,
    );
    say(
      `idle RSS: ${idle.rssMb} MB summed over ${idle.processes} processes (target < ${TARGET.idleRssMb}) ${idle.rssMb < TARGET.idleRssMb ? 'ok' : 'MISSES TARGET'}`,
    );
    say(
      `  the sum counts PostgreSQL's shared memory and binary once per process; PSS (shared pages split between the processes) ${idle.pssMb} MB ${idle.pssMb < TARGET.idleRssMb ? 'ok' : 'MISSES TARGET'}`,
    );
    say(`  node RSS after load ${loaded.nodeRssMb} MB`);
    say('(cold start: from spawning node until the server reports ready over IPC)');

    let profile: Record<string, number> | undefined;
    if (process.env.BENCH_PROFILE === '1' || !meets(dashboard) || !meets(pupils)) {
      say('\ncounting SQL statements per request (about a minute)…');
      profile = await statementsPerRequest(runningEmbeddedUrl(dataDir, options.pgPort), [
        { name: 'dashboard', url: `${base}/`, cookie },
        { name: 'pupils', url: `${base}/pupils`, cookie },
      ]);
      say(`SQL statements per request: dashboard ${profile.dashboard}, pupils ${profile.pupils}`);
    }

    // 5. Shutdown
    const { stopMs } = await stopChecked(server, loadOwnsPostgres);
    running = undefined;
    say(
      `stopped cleanly in ${Math.round(stopMs)} ms (exit 0${loadOwnsPostgres ? ', embedded PostgreSQL gone' : ''})`,
    );

    const summary = {
      bench: 'http',
      node: process.version,
      cpus: os.cpus().length,
      loadavg_before: round(loadBefore, 2),
      loadavg_after: round(os.loadavg()[0]!, 2),
      connections: CONNECTIONS,
      duration_s: DURATION,
      load_node_env: LOAD_ENV,
      baseline_rps: baseline.rps,
      baseline_p99_ms: baseline.p99,
      dashboard_rps: dashboard.rps,
      dashboard_ratio: ratio(dashboard),
      dashboard_p99_ms: dashboard.p99,
      pupils_rps: pupils.rps,
      pupils_ratio: ratio(pupils),
      pupils_p99_ms: pupils.p99,
      pupils_in_school: PUPILS,
      non2xx: baseline.non2xx + dashboard.non2xx + pupils.non2xx,
      errors: rows.reduce((n, m) => n + m.errors + m.timeouts, 0),
      cold_start_ms: coldLater,
      cold_start_first_ms: Math.round(first.ready.wallMs),
      cold_start_later_ms: coldLater,
      cold_start_later_runs_ms: later.map((l) => Math.round(l)),
      cold_start_server_ms: Math.round(median(laterOwn)),
      idle_rss_mb: idle.rssMb,
      idle_rss_node_mb: idle.nodeRssMb,
      idle_rss_postgres_mb: idle.postgresRssMb,
      idle_rss_other_mb: idle.otherRssMb,
      idle_pss_mb: idle.pssMb,
      idle_settle_ms: IDLE_SETTLE_MS,
      idle_rss_at_3s_mb: idleAt3s.rssMb,
      idle_rss_at_3s_node_mb: idleAt3s.nodeRssMb,
      idle_rss_at_3s_postgres_mb: idleAt3s.postgresRssMb,
      node_args: NODE_ARGS.join(' '),
      entry: BUILT ? (ENTRY.entry ?? []).join(' ') : 'tsx src/main.ts',
      loaded_node_rss_mb: loaded.nodeRssMb,
      ...(profile
        ? {
            dashboard_sql_per_request: profile.dashboard,
            pupils_sql_per_request: profile.pupils,
          }
        : {}),
      targets_met:
        meets(dashboard) &&
        meets(pupils) &&
        coldLater < TARGET.coldStartMs &&
        idle.rssMb < TARGET.idleRssMb,
      shutdown_clean: true,
    };
    say(JSON.stringify(summary));
  } finally {
    if (running) await stopLanyard(running, 5_000).catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    unlock?.();
    await sink?.stop().catch(() => undefined);
    await killPostgresFor(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
