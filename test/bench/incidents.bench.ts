/**
 * `npm run bench:incidents` — incidents at scale (issue 14, "Tests and benchmark"). Not a test:
 * it prints figures, and its last line is one JSON object.
 *
 * 1. Evidence store: a 50 MB file (BENCH_EVIDENCE_MB) streamed through the evidence store
 *    (platform/evidence: chunked AES-256-GCM, plaintext SHA-256 while streaming, temporary file,
 *    fsync, rename) against copying the same file on the same disk (stream copy, fsync, rename),
 *    taking turns in rounds (BENCH_EVIDENCE_ROUNDS, default 5) so that other work on a shared
 *    machine weighs on both alike; the medians are compared. `evidence_mb_s`, `evidence_ratio`
 *    (target ≥ 0.5), and `evidence_rss_growth_mb` (the process's peak resident memory while
 *    storing and reading back, above what it was before; target < 64). Reading back (every chunk
 *    checked, the hash compared) is reported as `evidence_read_mb_s`.
 * 2. A fresh database `lanyard_bench_incidents` on BENCH_PG_URL (default
 *    postgres://postgres@127.0.0.1:5432/postgres), migrated with the real migrations: 2,000
 *    schools and 100,000 incidents (`incidents` and their `incident_cases` rows, INSERT … SELECT
 *    generate_series), 2,000 of them in the DSL's own school, the rest spread over the others.
 * 3. `dsl_list_p99_ms` and `dsl_list_ratio`: the real server (`dist/main.js web` as `npm start`
 *    runs it, or tsx with BENCH_TSX=1; NODE_ENV=production, its own process) under autocannon at BENCH_CONNECTIONS (32)
 *    connections: the DSL's case list (GET /api/v1/incidents, the DSL's API token, the first page
 *    of 50) against /healthz, taking turns in BENCH_ROUNDS (5) rounds of BENCH_DURATION/ROUNDS
 *    seconds (targets < 50 ms and ≥ 0.25).
 *
 * Environment: BENCH_PG_URL, BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 5),
 * BENCH_CONNECTIONS (default 32), BENCH_EVIDENCE_MB (default 50), BENCH_EVIDENCE_ROUNDS (5);
 * BENCH_CPU_PROF=<folder> writes a V8 CPU profile of the server under load there;
 * BENCH_SKIP_EVIDENCE=1 measures the case list only; BENCH_KEEP_DB=1 keeps the database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { randomToken } from '../../src/platform/crypto.ts';
import { LocalFileStore } from '../../src/platform/files/file-store.ts';
import { EvidenceStore } from '../../src/platform/evidence/evidence-store.ts';
import { createSchool } from '../support/factories.ts';
import { makeDataDir } from '../support/lanyard-process.ts';
import { loadRaw, mergeRuns, type RawRun } from './rounds.ts';
import { dropDatabase, freshDatabase, median, round, say, startBenchServer } from './support.ts';

const DB_NAME = 'lanyard_bench_incidents';
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const EVIDENCE_MB = Number(process.env.BENCH_EVIDENCE_MB ?? 50);
const EVIDENCE_ROUNDS = Number(process.env.BENCH_EVIDENCE_ROUNDS ?? 5);
const SCHOOLS = 2000;
const INCIDENTS = 100_000;
const OWN_SCHOOL_INCIDENTS = 2000;

export const TARGET = {
  evidence_ratio: '>= 0.5',
  evidence_rss_growth_mb: '< 64',
  dsl_list_p99_ms: '< 50',
  dsl_list_ratio: '>= 0.25',
} as const;

async function fsyncFile(file: string): Promise<void> {
  const handle = await fsp.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The baseline: the same bytes copied on the same disk, made durable the same way. */
async function copyOnce(source: string, dir: string): Promise<number> {
  const temp = path.join(dir, `copy-${randomBytes(6).toString('hex')}.part`);
  const target = path.join(dir, 'copy.bin');
  const t0 = performance.now();
  await pipeline(createReadStream(source), createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
  await fsyncFile(temp);
  await fsp.rename(temp, target);
  const dirHandle = await fsp.open(dir, 'r');
  await dirHandle.sync().catch(() => undefined);
  await dirHandle.close();
  return performance.now() - t0;
}

/** 1. The evidence store against a plain copy, in rounds, and its memory while it streams. */
async function benchEvidence(dataDir: string) {
  const bytes = EVIDENCE_MB * 1024 * 1024;
  const sourceDir = path.join(dataDir, 'bench-source');
  const copyDir = path.join(dataDir, 'bench-copy');
  fs.mkdirSync(sourceDir, { recursive: true });
  fs.mkdirSync(copyDir, { recursive: true });
  const source = path.join(sourceDir, 'evidence.bin');
  // A real upload is random-looking (compressed images, PDFs): random bytes, written in pieces.
  const hash = createHash('sha256');
  {
    const out = createWriteStream(source);
    const piece = randomBytes(1024 * 1024);
    for (let i = 0; i < EVIDENCE_MB; i++) {
      const block = Buffer.from(piece); // each write its own bytes (writes are buffered)
      block.writeUInt32BE(i, 0);
      hash.update(block);
      if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((resolve, reject) =>
      out.end((e?: Error | null) => (e ? reject(e) : resolve())),
    );
  }
  const expected = { sha256: hash.digest('hex'), size: bytes };
  const files = new LocalFileStore(path.join(dataDir, 'files'));
  const store = new EvidenceStore(files, randomBytes(32));
  say(`   a ${EVIDENCE_MB} MB file; ${EVIDENCE_ROUNDS} rounds of store and copy, taking turns`);

  // Warm both paths once (file cache, JIT), then measure.
  const storeOnce = async (n: number) => {
    const key = `bench-school/evidence/run-${n}`;
    const t0 = performance.now();
    const staged = await store.stage(key, createReadStream(source));
    await store.commit(staged);
    const ms = performance.now() - t0;
    if (staged.sha256 !== expected.sha256 || staged.size !== bytes)
      throw new Error('the evidence store hashed something other than the file');
    return { ms, key };
  };
  await copyOnce(source, copyDir);
  await storeOnce(0);

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  const storeMs: number[] = [];
  const copyMs: number[] = [];
  const readMs: number[] = [];
  try {
    for (let r = 1; r <= EVIDENCE_ROUNDS; r++) {
      copyMs.push(await copyOnce(source, copyDir));
      const { ms, key } = await storeOnce(r);
      storeMs.push(ms);
      const t0 = performance.now();
      let back = 0;
      for await (const chunk of await store.open(key, expected)) back += (chunk as Buffer).length;
      readMs.push(performance.now() - t0);
      if (back !== bytes) throw new Error('read back the wrong number of bytes');
    }
  } finally {
    clearInterval(sampler);
  }
  const mbs = (ms: number) => EVIDENCE_MB / (ms / 1000);
  const evidenceMbS = mbs(median(storeMs));
  const copyMbS = mbs(median(copyMs));
  const readMbS = mbs(median(readMs));
  const rssGrowthMb = (peak - rssBefore) / 1024 / 1024;
  say(
    `   store ${evidenceMbS.toFixed(0)} MB/s (rounds ${storeMs.map((m) => mbs(m).toFixed(0)).join(', ')}); ` +
      `copy ${copyMbS.toFixed(0)} MB/s (${copyMs.map((m) => mbs(m).toFixed(0)).join(', ')}); ` +
      `read back and check ${readMbS.toFixed(0)} MB/s`,
  );
  say(
    `   ratio ${(evidenceMbS / copyMbS).toFixed(3)} (target ≥ 0.5); peak resident memory ${rssGrowthMb.toFixed(1)} MB above the start (target < 64)`,
  );
  fs.rmSync(sourceDir, { recursive: true, force: true });
  fs.rmSync(copyDir, { recursive: true, force: true });
  fs.rmSync(path.join(dataDir, 'files'), { recursive: true, force: true });
  return {
    evidenceMbS,
    copyMbS,
    readMbS,
    ratio: evidenceMbS / copyMbS,
    rssGrowthMb,
  };
}

/** 2. 2,000 schools and 100,000 incidents, straight into the tables (the projection too). */
async function seedIncidents(pool: pg.Pool, ownSchoolId: string, reporterId: string) {
  const t0 = performance.now();
  await pool.query(
    `INSERT INTO schools (name, slug)
     SELECT 'Bench school ' || g, 'bench-incidents-' || g FROM generate_series(1, $1::int) g`,
    [SCHOOLS - 1],
  );
  // Every other school's incidents, then the DSL's own school's; reported over three years.
  const insert = async (where: string, count: number, params: unknown[]) => {
    await pool.query(
      `WITH s AS (
         SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n
         FROM schools WHERE ${where}
       ), rows AS (
         SELECT gen_random_uuid() AS id, s.id AS school_id, g AS seq,
                now() - (g * interval '13 minutes') - (s.k * interval '1 second') AS reported_at,
                g AS n
         FROM generate_series(1, $1::int) g
         JOIN s ON s.k = g % s.n
       ), inc AS (
         INSERT INTO incidents (id, school_id, seq, reference, reported_at, reporter_kind,
                                reporter_id, what_happened, platform, reporter_concern,
                                indecent_image)
         SELECT id, school_id, seq, 'INC-' || lpad(seq::text, 6, '0'), reported_at,
                (ARRAY['staff','parent','pupil'])[1 + n % 3], $2::uuid,
                'A benchmark report', (ARRAY['facebook','instagram','tiktok','whatsapp'])[1 + n % 4],
                n % 7 = 0, false
         FROM rows
         RETURNING id, school_id, reference, reported_at, reporter_kind, reporter_id,
                   reporter_concern
       )
       INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
                                   reporter_id, status, classified_at, incident_type, category,
                                   risk, safeguarding, indecent_image, next_step_due,
                                   entry_count, updated_at)
       SELECT id, school_id, reference, reported_at, reporter_kind, reporter_id,
              CASE WHEN random() < 0.6 THEN 'closed' ELSE 'open' END,
              reported_at + interval '1 day',
              (ARRAY['pupil_on_pupil','parent_defamation','staff_cyberbullying','inappropriate_content'])[1 + (random() * 3)::int],
              (ARRAY['content','contact','conduct','commerce'])[1 + (random() * 3)::int],
              (ARRAY['aggressive','sexual','values','commercial'])[1 + (random() * 3)::int],
              reporter_concern, false, (reported_at + interval '14 days')::date, 3, reported_at
       FROM inc`,
      [count, ...params],
    );
  };
  await insert(`id <> '${ownSchoolId}'`, INCIDENTS - OWN_SCHOOL_INCIDENTS, [reporterId]);
  await insert(`id = '${ownSchoolId}'`, OWN_SCHOOL_INCIDENTS, [reporterId]);
  await pool.query('ANALYZE schools, incidents, incident_cases');
  const { rows } = await pool.query<{ n: string; schools: string }>(
    'SELECT count(*) AS n, count(DISTINCT school_id) AS schools FROM incident_cases',
  );
  say(
    `   ${Number(rows[0]!.n).toLocaleString('en-GB')} incidents across ${rows[0]!.schools} schools in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

/** 3. The real server: the DSL's case list and /healthz taking turns in rounds. */
async function measureList(url: string, dataDir: string, smtpUrl: string, token: string) {
  const server = await startBenchServer({ url, dataDir, smtpUrl, cpuProfile: true });
  const base = server.base;
  const listUrl = `${base}/api/v1/incidents`;
  const headers = { authorization: `Bearer ${token}` };
  try {
    const probe = await fetch(listUrl, { headers });
    const body = (await probe.json()) as { cases?: unknown[]; next?: string | null };
    if (probe.status !== 200 || body.cases?.length !== 50 || !body.next)
      throw new Error(
        `GET /api/v1/incidents → ${probe.status}: ${JSON.stringify(body).slice(0, 300)}`,
      );
    say(`   the DSL's first page: ${body.cases.length} cases, and a cursor to the next`);
    const slice = Math.max(1, Math.round(DURATION / ROUNDS));
    await loadRaw({ url: `${base}/healthz`, connections: CONNECTIONS, duration: slice });
    await loadRaw({ url: listUrl, headers, connections: CONNECTIONS, duration: slice });
    const healthzRuns: RawRun[] = [];
    const listRuns: RawRun[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      healthzRuns.push(
        await loadRaw({ url: `${base}/healthz`, connections: CONNECTIONS, duration: slice }),
      );
      listRuns.push(
        await loadRaw({ url: listUrl, headers, connections: CONNECTIONS, duration: slice }),
      );
    }
    const healthz = mergeRuns(`${base}/healthz`, CONNECTIONS, healthzRuns);
    const list = mergeRuns(listUrl, CONNECTIONS, listRuns);
    const ratio = list.rps / healthz.rps;
    say(
      `   /healthz ${Math.round(healthz.rps)} req/s (p99 ${healthz.p99} ms); case list ${Math.round(list.rps)} req/s ` +
        `(p50 ${list.p50} ms, p99 ${list.p99} ms, non-2xx ${list.non2xx}); ratio ${ratio.toFixed(3)} (targets p99 < 50 ms, ratio ≥ 0.25)`,
    );
    if (list.non2xx > 0 || list.errors > 0)
      throw new Error(`the case list answered ${list.non2xx} non-2xx and ${list.errors} errors`);
    return { healthz, list, ratio };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  say(
    `Lanyard incidents benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(2)}`,
  );
  const dataDir = makeDataDir('lanyard-bench-incidents-');
  const sink = new SmtpSink();
  let figures: Record<string, unknown> = {};
  try {
    say('1. Evidence store against a plain copy on the same disk');
    const evidence = process.env.BENCH_SKIP_EVIDENCE
      ? { evidenceMbS: 0, copyMbS: 0, readMbS: 0, ratio: 0, rssGrowthMb: 0 }
      : await benchEvidence(dataDir);

    say('2. Database: 2,000 schools, 100,000 incidents');
    const url = await freshDatabase(DB_NAME);
    await sink.start(0);
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SESSION_SECRET: randomToken(32),
      EVIDENCE_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: sink.url,
      BASE_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    const platform = await createPlatform(config, { supervise: false });
    let token: string;
    try {
      const services = createServices(platform);
      const school = await createSchool(services, { slug: 'bench-incidents-dsl', pupils: 10 });
      token = await services.auth.createApiToken(school.staff.dsl.id, school.school.id, 'bench');
      await seedIncidents(platform.database.pool, school.school.id, school.parent.id);
    } finally {
      await platform.close();
    }

    say(`3. The DSL's case list against /healthz (${CONNECTIONS} connections, ${ROUNDS} rounds)`);
    const list = await measureList(url, dataDir, sink.url, token);

    figures = {
      evidence_mb_s: round(evidence.evidenceMbS, 1),
      evidence_ratio: round(evidence.ratio, 3),
      evidence_rss_growth_mb: round(evidence.rssGrowthMb, 1),
      dsl_list_p99_ms: list.list.p99,
      dsl_list_ratio: round(list.ratio, 3),
      evidence_copy_mb_s: round(evidence.copyMbS, 1),
      evidence_read_mb_s: round(evidence.readMbS, 1),
      evidence_file_mb: EVIDENCE_MB,
      dsl_list_rps: round(list.list.rps, 0),
      dsl_list_p50_ms: list.list.p50,
      healthz_rps: round(list.healthz.rps, 0),
      healthz_p99_ms: list.healthz.p99,
      incidents: INCIDENTS,
      schools: SCHOOLS,
      connections: CONNECTIONS,
      targets: TARGET,
      targets_met:
        evidence.ratio >= 0.5 &&
        evidence.rssGrowthMb < 64 &&
        list.list.p99 < 50 &&
        list.ratio >= 0.25,
    };
  } finally {
    await sink.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP_DB) await dropDatabase(DB_NAME);
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
