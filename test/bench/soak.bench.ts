/**
 * `npm run bench:soak` — Lanyard under steady, mixed load for a long time: does it keep
 * answering without errors, and does its memory stay flat? Not a test: it prints figures, and
 * its last line is one JSON object.
 *
 * 1. Set-up, in this process: the embedded PostgreSQL on a fresh data folder, migrations, a
 *    1,000-pupil school with parents and consent forms (the real services), office accounts
 *    without a second factor (two per connection) and an API token.
 * 2. The real server (`src/main.ts all`: web and jobs in one process, as `npm start` runs it)
 *    with NODE_ENV=production and DATABASE_URL pointing at that PostgreSQL. Every office account
 *    signs in through the real form (CSRF token and session cookie).
 * 3. The mix, 17 requests each autocannon connection goes through in order: 8 signed-in pages
 *    (the dashboard, the pupil list and its later pages, pupils' pages, the media library), 8
 *    `POST /api/v1/consent/check` calls for 30 random pupils (Bearer token), and one upload (a real photograph with faces, from the
 *    sample photos the media tests use, through the real multipart form, which stores it and
 *    queues its ingest: metadata stripped, faces found) — one request in 17 stores a photo.
 * 4. Maximum throughput: the mix as fast as it goes for BENCH_SOAK_PROBE_SECONDS (default 20).
 * 5. Warm-up at half of that rate (a tenth of the soak, at least 10 s and at most 60 s), then the
 *    soak: BENCH_SOAK_SECONDS (default 600) at half the measured maximum (autocannon's
 *    overallRate), sampling the server's RSS every 5 s.
 *
 * The whole load comes from one client address, so the server runs with its per-address limits
 * raised above it (LOGIN_RATE_LIMIT, API_RATE_LIMIT; the API limit still counts every request).
 *
 * `errors` counts connection errors, timeouts and every answer that is not 2xx or 3xx (an
 * upload answers 303). `rss_growth_mb` is the node server's RSS at the end of the soak minus at
 * its start (after the warm-up). Targets: 0 errors, growth < 50 MB. The photos stored are
 * counted in the database as a check that the uploads were real.
 *
 * Environment: BENCH_SOAK_SECONDS (default 600), BENCH_SOAK_PROBE_SECONDS (default 20),
 * BENCH_CONNECTIONS (default 16).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import {
  lockDataFolder,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '../../src/platform/db/embedded.ts';
import { runMigrations } from '../../src/platform/db/migrate.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { hashPassword, randomToken } from '../../src/platform/crypto.ts';
import { ukDate } from '../../src/platform/clock.ts';
import { generatePeople } from '../../src/demo/generate.ts';
import {
  PeopleBulkRepository,
  PeopleRepository,
} from '../../src/modules/people/people.repository.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import { multipartBody } from '../support/http.ts';
import { cookieHeader, cookiePairs, csrfOf } from './support.ts';
import { samplePhotos } from '../support/sample-photos.ts';
import {
  freePort,
  killPostgresFor,
  makeDataDir,
  memoryOf,
  startLanyard,
  stopLanyard,
  withTimeout,
  type LanyardProcess,
} from '../support/lanyard-process.ts';

const SOAK = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const PROBE = Number(process.env.BENCH_SOAK_PROBE_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** Office accounts: twice the connections (see mix). */
const OFFICES = 2 * CONNECTIONS;
const WARMUP = Math.min(60, Math.max(10, Math.round(SOAK / 10)));
const PUPILS = 1000;
const FORMS = 300;

const BATCH = 30;
const SLUG = 'soak-academy';
const PASSWORD = 'soak-password-not-secret-2026';
const TARGET = { errors: 0, rssGrowthMb: 50 };

const say = (m = '') => process.stdout.write(`${m}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

// ---------------------------------------------------------------------------------------------
// Set-up

interface School {
  schoolId: string;
  pupilIds: string[];
  offices: string[];
  token: string;
}

async function setUp(url: string, dataDir: string, sink: SmtpSink): Promise<School> {
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    SMTP_URL: sink.url,
    LOG_LEVEL: 'silent',
  });
  const platform = await createPlatform(config, { supervise: false, mailSink: sink });
  try {
    const services = createServices(platform);
    const school = await services.people.createSchool(
      { name: 'Soak Academy', slug: SLUG, templateKey: 'jump-primary' },
      { kind: 'cli', id: null },
    );
    const people = new PeopleRepository();
    const hash = await hashPassword(PASSWORD);
    const offices: string[] = [];
    let tokenHolder = '';
    await platform.database.transaction(async (tx) => {
      for (let i = 1; i <= OFFICES; i++) {
        const email = `office${i}@soak-academy.example`;
        const row = await people.createStaff(
          tx.db,
          {
            schoolId: school.id,
            email,
            givenName: 'Office',
            familyName: `Soak ${i}`,
            passwordHash: hash,
          },
          ['office'],
        );
        offices.push(email);
        tokenHolder ||= row.id;
      }
      const generated = generatePeople({
        schoolId: school.id,
        pupils: PUPILS,
        classesPerYear: 2,
        today: new Date(),
        seed: 600,
        emailDomain: 'soak-academy.example',
        misPrefix: 'S',
      });
      await new PeopleBulkRepository().insertFamilies(tx.db, school.id, generated);
    });
    const pupilIds = (
      await platform.database.pool.query<{ id: string }>(
        'SELECT id FROM pupils WHERE school_id = $1 ORDER BY id',
        [school.id],
      )
    ).rows.map((r) => r.id);
    // Consent forms for some pupils, through the real service (one transaction and audit each).
    const keys = consentKeysFor(await services.consent.settings(school.id));
    const decidedOn = ukDate(new Date());
    for (const pupilId of pupilIds.slice(0, FORMS)) {
      const parent = (await services.consent.pupilRegister(school.id, pupilId)).parents.find(
        (p) => p.parentalResponsibility,
      );
      if (!parent) continue;
      await services.consent.record(
        {
          schoolId: school.id,
          pupilId,
          decider: { kind: 'parent', parentId: parent.id },
          decisions: Object.fromEntries(
            keys.map((k) => [k, Math.random() < 0.9 ? 'granted' : 'refused']),
          ),
          method: 'paper_form',
          kind: 'form',
          decidedOn,
        },
        { kind: 'cli', id: null },
      );
    }
    const token = await services.auth.createApiToken(tokenHolder, school.id, 'soak benchmark');
    await platform.database.pool.query('ANALYZE');
    return { schoolId: school.id, pupilIds, offices, token };
  } finally {
    await platform.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Signed-in sessions

/** Signs in through the real form; returns the cookie and a CSRF token for the upload form. */
async function signIn(base: string, email: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${base}/sign-in`);
  const csrf = csrfOf(await page.text());
  if (page.status !== 200 || !csrf) throw new Error(`GET /sign-in → ${page.status}, no _csrf`);
  const jar = cookiePairs(page.headers.getSetCookie());
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD, next: '/' }).toString(),
  });
  if (res.status !== 303) throw new Error(`POST /sign-in → ${res.status}`);
  cookiePairs(res.headers.getSetCookie(), jar);
  const form = await fetch(`${base}/media/upload`, { headers: { cookie: cookieHeader(jar) } });
  cookiePairs(form.headers.getSetCookie(), jar);
  const formCsrf = csrfOf(await form.text());
  if (form.status !== 200 || !formCsrf) throw new Error(`GET /media/upload → ${form.status}`);
  return { cookie: cookieHeader(jar), csrf: formCsrf };
}

/**
 * A real photograph with faces (the sample photos the media tests use, from the npm registry),
 * so that every upload's ingest finds faces as it would at school.
 */
async function photo(): Promise<{ jpeg: Buffer; name: string }> {
  const photos = (await samplePhotos()).filter((p) => /\.jpe?g$/i.test(p.path));
  const chosen = photos.sort((a, b) => b.faces.length - a.faces.length)[0];
  if (!chosen) throw new Error('no sample photo');
  return {
    jpeg: fs.readFileSync(chosen.path),
    name: `${chosen.name} (${chosen.width}×${chosen.height}, ${chosen.faces.length} faces)`,
  };
}

// ---------------------------------------------------------------------------------------------
// Load

interface Tally {
  requests: number;
  seconds: number;
  errors: number;
  byStatus: Record<string, number>;
  p50: number;
  p99: number;
}

function tally(r: Result): Tally {
  const byStatus: Record<string, number> = {};
  let bad = 0;
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) {
    byStatus[code] = s.count;
    if (Number(code) >= 400) bad += s.count;
  }
  const requests = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return {
    requests,
    seconds: r.duration,
    errors: r.errors + r.timeouts + bad,
    byStatus,
    p50: r.latency.p50,
    p99: r.latency.p99,
  };
}

function mix(
  base: string,
  school: School,
  sessions: { cookie: string; csrf: string }[],
  jpeg: Buffer,
) {
  const uploads = sessions.map((s) => {
    const body = multipartBody(
      {
        _csrf: s.csrf,
        deviceId: 'other',
        deviceDescription: 'Soak test camera',
        eventLabel: 'Soak day',
      },
      { field: 'files', filename: 'soak.jpg', type: 'image/jpeg', content: jpeg },
    );
    return {
      headers: { cookie: s.cookie, 'content-type': body.contentType },
      body: body.payload,
    };
  });
  const checks = Array.from({ length: 2048 }, () =>
    JSON.stringify({
      purpose: 'school_social_media',
      mediaType: 'image',
      pupilIds: Array.from({ length: BATCH }, () => pick(school.pupilIds)),
    }),
  );
  /**
   * Each connection signs its requests as one person for a whole pass through the mix (the
   * context lasts one pass), the people taken in turn: twice as many people as connections, so
   * nobody has more uploads running at once than a person would (the server allows 3).
   */
  let turn = 0;
  const who = (context: Record<string, unknown>) =>
    (context.who ??= turn++ % sessions.length) as number;
  const api = {
    method: 'POST',
    path: '/api/v1/consent/check',
    headers: { authorization: `Bearer ${school.token}`, 'content-type': 'application/json' },
    setupRequest: (req: Record<string, unknown>) => ({ ...req, body: pick(checks) }),
  };
  const page = (path: string | (() => string)) => ({
    method: 'GET',
    path: typeof path === 'string' ? path : '/',
    setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => ({
      ...req,
      ...(typeof path === 'string' ? {} : { path: path() }),
      headers: { ...(req.headers as object), cookie: sessions[who(context)]!.cookie },
    }),
  });
  const upload = {
    method: 'POST',
    path: '/media/upload',
    setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => ({
      ...req,
      ...uploads[who(context)]!,
    }),
  };
  const pupilPage = () => `/pupils/${pick(school.pupilIds)}`;
  const listPage = () => `/pupils?page=${1 + Math.floor(Math.random() * 20)}`;
  return {
    url: base,
    // 17 requests: 6 pages, 2 pupil pages, 8 consent checks, 1 upload.
    requests: [
      page('/'),
      api,
      page('/pupils'),
      api,
      page(pupilPage),
      api,
      page('/media'),
      api,
      page(listPage),
      api,
      page('/'),
      api,
      page(pupilPage),
      api,
      upload,
      api,
      page('/media'),
    ],
  };
}

async function run(
  options: Record<string, unknown>,
  duration: number,
  overallRate?: number,
): Promise<Result> {
  return autocannon({
    connections: CONNECTIONS,
    duration,
    timeout: 30,
    ...(overallRate ? { overallRate } : {}),
    ...options,
  } as unknown as Parameters<typeof autocannon>[0]);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const dataDir = makeDataDir('lanyard-soak-');
  const port = await freePort();
  const pgPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let embedded: EmbeddedServer | undefined;
  let unlock: (() => void) | undefined;
  let server: LanyardProcess | undefined;
  const sink = new SmtpSink();
  say(
    `Lanyard soak benchmark — Node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}`,
  );
  const loadBefore = os.loadavg()[0]!;
  say(`data folder ${dataDir}, port ${port}; load average before ${loadBefore.toFixed(2)}`);
  try {
    unlock = lockDataFolder(dataDir);
    embedded = await startEmbeddedPostgres({ dataDir, port: pgPort });
    await runMigrations(embedded.url);
    await sink.start(0);
    const t0 = performance.now();
    const school = await setUp(embedded.url, dataDir, sink);
    say(
      `set up a ${PUPILS}-pupil school with ${FORMS} consent forms and ${OFFICES} office accounts in ${Math.round(performance.now() - t0)} ms`,
    );

    server = startLanyard({
      dataDir,
      port,
      pgPort,
      args: ['all'],
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: embedded.url,
        SESSION_SECRET: randomToken(32),
        EVIDENCE_KEY: randomBytes(32).toString('base64'),
        SMTP_URL: sink.url,
        BASE_URL: base,
        DEMO_SEED: 'false',
        LOG_LEVEL: 'warn',
        // Every office account signs in once, from this one address.
        LOGIN_RATE_LIMIT: String(OFFICES + 10),
        // All the load comes from one address: the API limit per address stays on (its counting
        // in PostgreSQL is part of the cost) but above what the benchmark sends.
        API_RATE_LIMIT: '1000000',
      },
    });
    await withTimeout(server.ready, 120_000, 'server start');
    const sessions = [];
    for (const email of school.offices) sessions.push(await signIn(base, email));
    const { jpeg, name } = await photo();
    const options = mix(base, school, sessions, jpeg);
    const photosBefore = await countPhotos(embedded.url, school.schoolId);
    say(
      `server ready (NODE_ENV=production, web and jobs in one process); photo ${name}, ${jpeg.length} bytes`,
    );

    // Maximum throughput of the mix.
    const probe = tally(await run(options, PROBE));
    const maxRps = probe.requests / probe.seconds;
    const rate = Math.max(1, Math.floor(maxRps / 2));
    say(
      `maximum: ${round(maxRps)} req/s over ${PROBE} s at ${CONNECTIONS} connections (p50 ${probe.p50} ms, p99 ${probe.p99} ms, status ${JSON.stringify(probe.byStatus)}, errors ${probe.errors}); soak rate ${rate} req/s`,
    );

    // Warm-up at the soak rate, then the soak with RSS sampled every 5 s.
    const warm = tally(await run(options, WARMUP, rate));
    await sleep(1000);
    const start = memoryOf(server.pid);
    say(
      `warm-up ${WARMUP} s: ${warm.requests} requests, status ${JSON.stringify(warm.byStatus)}, errors ${warm.errors}; node RSS ${start.nodeRssMb} MB`,
    );
    const samples: { s: number; rssMb: number }[] = [{ s: 0, rssMb: start.nodeRssMb }];
    const began = performance.now();
    const proc = server;
    const sampler = setInterval(() => {
      const s = Math.round((performance.now() - began) / 1000);
      const rss = memoryOf(proc.pid).nodeRssMb;
      samples.push({ s, rssMb: rss });
      if (s % 60 < 5) say(`  ${s} s: node RSS ${rss} MB`);
    }, 5000);
    let soak: Tally;
    try {
      soak = tally(await run(options, SOAK, rate));
    } finally {
      clearInterval(sampler);
    }
    const end = memoryOf(server.pid);
    const photosAfter = await countPhotos(embedded.url, school.schoolId);
    const uploadsAnswered = soak.byStatus['303'] ?? 0;
    const rssMax = Math.max(...samples.map((x) => x.rssMb), end.nodeRssMb);
    const growth = round(end.nodeRssMb - start.nodeRssMb);
    const errors = probe.errors + warm.errors + soak.errors;
    say(
      `soak ${SOAK} s at ${rate} req/s: ${soak.requests} requests (${round(soak.requests / soak.seconds)} req/s), p50 ${soak.p50} ms, p99 ${soak.p99} ms, status ${JSON.stringify(soak.byStatus)}, errors ${soak.errors}`,
    );
    say(
      `node RSS: start ${start.nodeRssMb} MB, end ${end.nodeRssMb} MB, growth ${growth} MB, highest ${rssMax} MB (target growth < ${TARGET.rssGrowthMb})`,
    );
    say(
      `photos stored: ${photosAfter.total - photosBefore.total} (uploads answered 303 over the whole run: ${uploadsAnswered} in the soak), ingested ${photosAfter.total - photosAfter.pending - photosAfter.failed}, failed ${photosAfter.failed}, still waiting for ingest at the end: ${photosAfter.pending}`,
    );

    const { code } = await stopLanyard(server);
    server = undefined;
    say(`server stopped (exit ${code})`);
    const summary = {
      bench: 'soak',
      node: process.version,
      cpus: os.cpus().length,
      loadavg_before: round(loadBefore, 2),
      loadavg_after: round(os.loadavg()[0]!, 2),
      connections: CONNECTIONS,
      probe_s: PROBE,
      max_rps: round(maxRps),
      soak_rate_rps: rate,
      warmup_s: WARMUP,
      soak_s: SOAK,
      soak_requests: soak.requests,
      soak_achieved_rps: round(soak.requests / soak.seconds),
      soak_p50_ms: soak.p50,
      soak_p99_ms: soak.p99,
      soak_status: soak.byStatus,
      photos_stored: photosAfter.total - photosBefore.total,
      photos_ingested: photosAfter.total - photosAfter.pending - photosAfter.failed,
      photos_failed_ingest: photosAfter.failed,
      photos_pending_ingest: photosAfter.pending,
      errors,
      rss_start_mb: start.nodeRssMb,
      rss_end_mb: end.nodeRssMb,
      rss_growth_mb: growth,
      rss_max_mb: rssMax,
      targets_met: errors === TARGET.errors && growth < TARGET.rssGrowthMb,
    };
    say(JSON.stringify(summary));
  } finally {
    if (server) await stopLanyard(server, 5_000).catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    unlock?.();
    await sink.stop().catch(() => undefined);
    await killPostgresFor(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function countPhotos(
  url: string,
  schoolId: string,
): Promise<{ total: number; pending: number; failed: number }> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ total: string; pending: string; failed: string }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE status = 'processing') AS pending,
              count(*) FILTER (WHERE status = 'failed') AS failed
       FROM media_items WHERE school_id = $1`,
      [schoolId],
    );
    return {
      total: Number(rows[0]!.total),
      pending: Number(rows[0]!.pending),
      failed: Number(rows[0]!.failed),
    };
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
