import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.ts';
import { runMigrations } from '../../src/platform/db/migrate.ts';
import { randomToken } from '../../src/platform/crypto.ts';
import { buildApp } from '../../src/app.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import {
  freePort,
  makeDataDir,
  startLanyard,
  stopLanyard,
  withTimeout,
  type LanyardProcess,
} from '../support/lanyard-process.ts';
import { loadRaw, mergeRuns, type RawRun } from './rounds.ts';

/**
 * What the benchmarks (`npm run bench:*`) share: a fresh migrated database on
 * BENCH_PG_URL, the configuration of in-process services, the real server in its own process,
 * signing in through the real form, load in rounds against /healthz as the baseline, peak resident
 * memory, and the last line of figures. Each benchmark keeps what it measures and its keys.
 */

/** The PostgreSQL server benchmarks make their databases on. */
export const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Prints one line of progress. */
export const say = (line = '') => process.stdout.write(`${line}\n`);
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The first line of a benchmark: what it is and the machine it runs on. */
export function machineLine(name: string, load = os.loadavg()[0]!.toFixed(2)): string {
  return `Lanyard ${name} benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${load}`;
}

/** The last line: one JSON object. */
export function printFigures(figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** Runs a benchmark's main, printing the error and exiting 1 when it fails. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

// ---------------------------------------------------------------------------------------------
// Databases

export function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** One statement on the server's maintenance database (CREATE / DROP DATABASE). */
export async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/** A fresh database of that name, migrated with the real migrations; returns its URL. */
export async function freshDatabase(name: string): Promise<string> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = dbUrl(name);
  await runMigrations(url);
  return url;
}

/** Drops the database; a failure is ignored (the benchmark's figures are already printed). */
export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
}

/** The configuration of in-process services on a benchmark's database (NODE_ENV=production). */
export function benchConfig(
  options: { url: string; dataDir: string; smtpUrl: string },
  extra: Record<string, string> = {},
): Config {
  return loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: options.url,
    DATA_DIR: options.dataDir,
    SESSION_SECRET: randomToken(32),
    EVIDENCE_KEY: randomBytes(32).toString('base64'),
    SMTP_URL: options.smtpUrl,
    BASE_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'silent',
    ...extra,
  });
}

/**
 * Lanyard in this process on a database a benchmark left behind (BENCH_KEEP_DB=1), for the probe
 * scripts that count statements and read plans: services and the app built as the server builds
 * them, a mail sink of its own, and one call to close them all.
 */
export async function openInProcess(dbName: string) {
  const sink = new SmtpSink();
  await sink.start(0);
  const config = benchConfig(
    { url: dbUrl(dbName), dataDir: makeDataDir('lanyard-probe-'), smtpUrl: sink.url },
    { API_RATE_LIMIT: '0' },
  );
  const platform = await createPlatform(config, { supervise: false });
  const services = createServices(platform);
  const app = await buildApp(services, config);
  await app.ready();
  return {
    config,
    platform,
    services,
    app,
    pool: platform.database.pool,
    async close() {
      await app.close();
      await platform.close();
      await sink.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The real server

export interface BenchServer {
  /** http://127.0.0.1:<port> */
  base: string;
  process: LanyardProcess;
  /** Stops it (SIGKILL after 10 s); never throws. */
  stop(): Promise<void>;
}

let built = false;

/**
 * The node flags `npm start` gives the server (package.json's start script, e.g. the young
 * generation's size: ADR 0036), so that a benchmark runs exactly what a school runs.
 */
export function startFlags(): string[] {
  const pkg = JSON.parse(
    fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as {
    scripts: { start: string };
  };
  const m = /node ((?:--\S+ )*)dist\/main\.js/.exec(pkg.scripts.start);
  if (!m)
    throw new Error(`package.json's start script does not run dist/main.js: ${pkg.scripts.start}`);
  return m[1]!.split(' ').filter(Boolean);
}

/**
 * What the benchmarks' servers run: `dist/main.js` with `npm start`'s node flags, as `npm start`
 * does (ADR 0033), built once per benchmark run; with BENCH_TSX=1, `src/main.ts` through tsx
 * (`npm run dev`) instead.
 */
export function serverEntry(): { entry?: string[] } {
  if (process.env.BENCH_TSX === '1') return {};
  if (!built) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    built = true;
  }
  return { entry: [...startFlags(), 'dist/main.js'] };
}

/**
 * The real server (`dist/main.js web` as `npm start` runs it, or `src/main.ts` through tsx with
 * BENCH_TSX=1; NODE_ENV=production, its own process) on a benchmark's database, ready to answer;
 * BENCH_NODE_ARGS adds node flags (split on spaces). BENCH_CPU_PROF=<folder> when `cpuProfile` writes a V8 CPU profile
 * of it there. The per-address API limit is off: the load comes from one address.
 */
export async function startBenchServer(options: {
  url: string;
  dataDir: string;
  smtpUrl: string;
  cpuProfile?: boolean;
}): Promise<BenchServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cpuProf = options.cpuProfile ? process.env.BENCH_CPU_PROF : undefined;
  const server = startLanyard({
    dataDir: options.dataDir,
    port,
    pgPort: await freePort(),
    args: ['web'],
    ...serverEntry(),
    nodeArgs: [
      ...(process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
      ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : []),
    ],
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: options.url,
      SESSION_SECRET: randomToken(32),
      EVIDENCE_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: options.smtpUrl,
      BASE_URL: base,
      DEMO_SEED: 'false',
      LOG_LEVEL: 'warn',
      API_RATE_LIMIT: '0',
    },
  });
  const stop = async () => {
    await stopLanyard(server, 10_000).catch(() => undefined);
  };
  try {
    await withTimeout(server.ready, 120_000, 'server start');
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, process: server, stop };
}

// ---------------------------------------------------------------------------------------------
// Signing in

export function cookiePairs(
  setCookies: string[],
  jar = new Map<string, string>(),
): Map<string, string> {
  for (const c of setCookies) {
    const pair = c.split(';')[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return jar;
}

export const cookieHeader = (jar: Map<string, string>) =>
  [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

export const csrfOf = (html: string) =>
  /name="_csrf" value="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');

/**
 * Signs in through the real form (CSRF token and cookie) and returns the Cookie header. With
 * `strict`, the answer must also send the person home (`/`) with a session cookie.
 */
export async function signIn(
  base: string,
  email: string,
  password: string,
  options: { strict?: boolean } = {},
): Promise<string> {
  const page = await fetch(`${base}/sign-in`);
  const csrf = csrfOf(await page.text());
  if (page.status !== 200 || !csrf) throw new Error(`GET /sign-in → ${page.status}, no _csrf`);
  const jar = cookiePairs(page.headers.getSetCookie());
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/' }).toString(),
  });
  if (res.status !== 303 || (options.strict && res.headers.get('location') !== '/'))
    throw new Error(`POST /sign-in → ${res.status} ${res.headers.get('location')}`);
  cookiePairs(res.headers.getSetCookie(), jar);
  if (options.strict && ![...jar.keys()].some((k) => k.includes('session')))
    throw new Error('no session cookie');
  return cookieHeader(jar);
}

/** GET a page that must answer 200 with `must` (and without `mustNot`) in it; returns it. */
export async function expectPage(
  url: string,
  cookie: string,
  must: RegExp,
  mustNot?: RegExp,
): Promise<string> {
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const body = await res.text();
  if (res.status !== 200 || !must.test(body) || (mustNot && mustNot.test(body)))
    throw new Error(
      `GET ${url} → ${res.status}; expected ${must}${mustNot ? ` (and not ${mustNot})` : ''} in the page`,
    );
  return body;
}

// ---------------------------------------------------------------------------------------------
// Load in rounds

export interface LoadTarget<N extends string = string> {
  name: N;
  url: string;
  headers?: Record<string, string>;
  /** More autocannon options for this target (e.g. `requests` with a body per request). */
  options?: Record<string, unknown>;
}

export type Merged = ReturnType<typeof mergeRuns>;

/**
 * Load on the targets taking turns (rounds.ts): each once for `warmup` seconds, then `rounds`
 * rounds in which each has `slice` seconds, in the order given (the baseline, /healthz, first);
 * each target's slices merged (p50, p99, rps over all of them).
 */
export async function loadInRounds<N extends string>(options: {
  targets: readonly LoadTarget<N>[];
  connections: number;
  rounds: number;
  slice: number;
  warmup?: number;
}): Promise<Record<N, Merged>> {
  const { targets, connections, rounds, slice } = options;
  const load = (t: LoadTarget<N>, duration: number) =>
    loadRaw({
      url: t.url,
      ...(t.headers ? { headers: t.headers } : {}),
      connections,
      duration,
      ...t.options,
    });
  for (const t of targets) await load(t, options.warmup ?? slice);
  const runs = new Map<N, RawRun[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < rounds; r++)
    for (const t of targets) runs.get(t.name)!.push(await load(t, slice));
  return Object.fromEntries(
    targets.map((t) => [t.name, mergeRuns(t.url, connections, runs.get(t.name)!)]),
  ) as Record<N, Merged>;
}

/** Throws when a target answered anything but 2xx. */
export function expectNoErrors(what: string, m: Merged): void {
  if (m.non2xx > 0 || m.errors > 0)
    throw new Error(`${what} answered ${m.non2xx} non-2xx and ${m.errors} errors`);
}

// ---------------------------------------------------------------------------------------------
// Memory

/**
 * This process's peak resident memory from now (after a GC, when node runs with --expose-gc)
 * until `stop`, sampled every `everyMs`; `stop` returns the growth over the start in MB.
 */
export function samplePeakRss(everyMs: number): { stop(): number } {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  return {
    stop() {
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      return (peak - before) / 1024 / 1024;
    },
  };
}
