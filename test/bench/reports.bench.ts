/**
 * `npm run bench:reports` — issue 16's benchmark. Not a test: it prints figures, and its last line
 * is one JSON object with every part's figures.
 *
 * The benchmark is a list of parts (`parts` below). Each part sets up what it needs (its own
 * database, data and server), prints what it does, and returns its figures; the figures of all
 * parts are merged into the last line. To add a part (e.g. subject access: `sar_ms`,
 * `sar_rss_growth_mb`), write a `BenchPart` in its own file in test/bench/ and add it to `parts`.
 *
 * Part "report" (the governors' monitoring report, issue 16 item 4):
 * - a fresh database `lanyard_bench_reports` on BENCH_PG_URL (default
 *   postgres://postgres@127.0.0.1:5432/postgres), migrated with the real migrations; one school
 *   (Christ Church's template: the governors' report is on) with 2,000 pupils, and 10,000
 *   incidents over the school year 2025-26 (`incidents` and `incident_cases`, INSERT … SELECT
 *   generate_series), their consent records and published posts by SQL;
 * - the real server (`dist/main.js web` as `npm start` runs it, or tsx with BENCH_TSX=1;
 *   NODE_ENV=production, its own process) under autocannon at BENCH_CONNECTIONS (default 8) connections: the governor's report page for the school year
 *   (GET /reports/governors?period=2025-26, a real session cookie) against /healthz, taking turns
 *   in BENCH_ROUNDS (5) rounds of BENCH_DURATION/ROUNDS seconds: `report_page_p99_ms` (target
 *   < 200) and `report_page_ratio` (its requests per second over /healthz's);
 * - `report_pdf_ms`: the median of BENCH_PDF_RUNS (5) downloads of the same report's PDF, one at a
 *   time (target < 3,000).
 *
 * Environment: BENCH_PG_URL, BENCH_DURATION (s, default 10), BENCH_ROUNDS (5), BENCH_CONNECTIONS
 * (8), BENCH_PDF_RUNS (5), BENCH_KEEP_DB=1 keeps the database, BENCH_PARTS=report,sar runs only
 * the parts named.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { randomToken } from '../../src/platform/crypto.ts';
import { createSchool, TEST_PASSWORD } from '../support/factories.ts';
import { makeDataDir } from '../support/lanyard-process.ts';
import { loadRaw, mergeRuns, type RawRun } from './rounds.ts';
import { sarPart } from './reports-sar.ts';
import {
  dropDatabase,
  freshDatabase as freshBenchDatabase,
  median,
  round,
  signIn,
  startBenchServer,
} from './support.ts';

export { ADMIN_URL, signIn } from './support.ts';

/** What every part is given. */
export interface BenchContext {
  /** Prints one line of the part's progress. */
  say: (line: string) => void;
  /** A fresh, migrated database of that name on BENCH_PG_URL (dropped at the end). */
  freshDatabase: (name: string) => Promise<string>;
  /** A temporary data folder (removed at the end). */
  dataDir: string;
  /** The development SMTP sink's URL (running for the whole benchmark). */
  smtpUrl: string;
}

/** One part of the benchmark: its figures are merged into the last line. */
export interface BenchPart {
  name: string;
  title: string;
  targets: Record<string, string>;
  run: (ctx: BenchContext) => Promise<{ figures: Record<string, number>; met: boolean }>;
}

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const PDF_RUNS = Number(process.env.BENCH_PDF_RUNS ?? 5);
const PUPILS = 2000;
const INCIDENTS = 10_000;
const REPORT_DB = 'lanyard_bench_reports';
const PERIOD = '2025-26';

const created: string[] = [];

/** A fresh, migrated database (support.ts), dropped at the end. */
async function freshDatabase(name: string): Promise<string> {
  created.push(name);
  return freshBenchDatabase(name);
}

async function dropDatabases(): Promise<void> {
  for (const name of created) await dropDatabase(name);
}

/** 10,000 incidents over the school year 2025-26, with their projection rows; consent; posts. */
async function seedReportData(pool: pg.Pool, schoolId: string, reporterId: string) {
  await pool.query(
    `WITH rows AS (
       SELECT gen_random_uuid() AS id, g AS seq,
              timestamptz '2025-09-02 08:00+01' + ((g * 2897) % 26000) * interval '11 minutes' AS reported_at,
              g AS n
       FROM generate_series(1, $2::int) g
     ), inc AS (
       INSERT INTO incidents (id, school_id, seq, reference, reported_at, reporter_kind,
                              reporter_id, what_happened, platform, reporter_concern,
                              indecent_image)
       SELECT id, $1::uuid, seq, 'INC-' || lpad(seq::text, 6, '0'), reported_at,
              (ARRAY['staff','parent','pupil'])[1 + n % 3], $3::uuid,
              'A benchmark report', (ARRAY['facebook','instagram','tiktok','whatsapp'])[1 + n % 4],
              n % 7 = 0, false
       FROM rows
       RETURNING id, school_id, reference, reported_at, reporter_kind, reporter_id,
                 reporter_concern, seq
     )
     INSERT INTO incident_cases (incident_id, school_id, reference, reported_at, reporter_kind,
                                 reporter_id, status, classified_at, incident_type, category,
                                 risk, safeguarding, indecent_image, next_step_due, outcome,
                                 closed_at, entry_count, updated_at)
     SELECT id, school_id, reference, reported_at, reporter_kind, reporter_id,
            CASE WHEN seq % 5 < 3 THEN 'closed' ELSE 'open' END,
            reported_at + interval '1 day',
            (ARRAY['pupil_on_pupil','parent_defamation','staff_cyberbullying','inappropriate_content'])[1 + seq % 4],
            (ARRAY['content','contact','conduct','commerce'])[1 + (seq / 4) % 4],
            (ARRAY['aggressive','sexual','values','commercial'])[1 + (seq / 16) % 4],
            reporter_concern, false, (reported_at + interval '14 days')::date,
            CASE WHEN seq % 5 < 3 THEN (ARRAY['resolved','no_further_action','referred'])[1 + seq % 3] END,
            CASE WHEN seq % 5 < 3 THEN reported_at + (seq % 30) * interval '1 day' END,
            3, reported_at
     FROM inc`,
    [schoolId, INCIDENTS, reporterId],
  );
  await pool.query('ANALYZE incidents, incident_cases, pupils');
}

/** The governors' monitoring report: the page under load against /healthz, and the PDF. */
export const reportPart: BenchPart = {
  name: 'report',
  title: "The governors' monitoring report (a school year, 10,000 incidents, 2,000 pupils)",
  targets: { report_page_p99_ms: '< 200', report_pdf_ms: '< 3000' },
  async run({ say, freshDatabase: fresh, dataDir, smtpUrl }) {
    const url = await fresh(REPORT_DB);
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      SESSION_SECRET: randomToken(32),
      EVIDENCE_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: smtpUrl,
      BASE_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    const platform = await createPlatform(config, { supervise: false });
    let governorEmail: string;
    const t0 = performance.now();
    try {
      const services = createServices(platform);
      const school = await createSchool(services, {
        slug: 'bench-reports',
        pupils: PUPILS,
        template: 'christ-church-hampstead',
      });
      governorEmail = school.staff.governor.email;
      await seedReportData(platform.database.pool, school.school.id, school.parent.id);
    } finally {
      await platform.close();
    }
    say(
      `   ${PUPILS.toLocaleString('en-GB')} pupils and ${INCIDENTS.toLocaleString('en-GB')} incidents in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const server = await startBenchServer({ url, dataDir, smtpUrl });
    const base = server.base;
    try {
      const cookie = await signIn(base, governorEmail, TEST_PASSWORD);
      const pageUrl = `${base}/reports/governors?period=${PERIOD}`;
      const pdfUrl = `${base}/reports/governors.pdf?period=${PERIOD}`;
      const headers = { cookie };
      const probe = await fetch(pageUrl, { headers, redirect: 'manual' });
      const html = await probe.text();
      if (probe.status !== 200 || !/Incidents reported/.test(html))
        throw new Error(`GET ${pageUrl} → ${probe.status}: ${html.slice(0, 300)}`);
      if (!html.includes(INCIDENTS.toLocaleString('en-GB')))
        throw new Error(`the report does not count ${INCIDENTS} incidents`);

      const slice = Math.max(1, Math.round(DURATION / ROUNDS));
      await loadRaw({ url: `${base}/healthz`, connections: CONNECTIONS, duration: slice });
      await loadRaw({ url: pageUrl, headers, connections: CONNECTIONS, duration: slice });
      const healthzRuns: RawRun[] = [];
      const pageRuns: RawRun[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        healthzRuns.push(
          await loadRaw({ url: `${base}/healthz`, connections: CONNECTIONS, duration: slice }),
        );
        pageRuns.push(
          await loadRaw({ url: pageUrl, headers, connections: CONNECTIONS, duration: slice }),
        );
      }
      const healthz = mergeRuns(`${base}/healthz`, CONNECTIONS, healthzRuns);
      const page = mergeRuns(pageUrl, CONNECTIONS, pageRuns);
      const ratio = page.rps / healthz.rps;
      say(
        `   /healthz ${Math.round(healthz.rps)} req/s (p99 ${healthz.p99} ms); report page ${Math.round(page.rps)} req/s ` +
          `(p50 ${page.p50} ms, p99 ${page.p99} ms, non-2xx ${page.non2xx}); ratio ${ratio.toFixed(3)} (target p99 < 200 ms)`,
      );
      if (page.non2xx > 0 || page.errors > 0)
        throw new Error(
          `the report page answered ${page.non2xx} non-2xx and ${page.errors} errors`,
        );

      const pdfMs: number[] = [];
      let pdfBytes = 0;
      for (let i = 0; i <= PDF_RUNS; i++) {
        const t = performance.now();
        const res = await fetch(pdfUrl, { headers });
        const body = Buffer.from(await res.arrayBuffer());
        const ms = performance.now() - t;
        if (res.status !== 200 || body.subarray(0, 5).toString() !== '%PDF-')
          throw new Error(`GET ${pdfUrl} → ${res.status}`);
        pdfBytes = body.length;
        if (i > 0) pdfMs.push(ms); // the first warms the lazily loaded chart and PDF libraries
      }
      const pdf = median(pdfMs);
      say(
        `   PDF ${Math.round(pdf)} ms (median of ${PDF_RUNS}; ${Math.round(pdfBytes / 1024)} KB; target < 3,000 ms)`,
      );
      return {
        figures: {
          report_page_p99_ms: page.p99,
          report_page_p50_ms: page.p50,
          report_page_rps: round(page.rps, 0),
          report_page_ratio: round(ratio, 3),
          healthz_rps: round(healthz.rps, 0),
          healthz_p99_ms: healthz.p99,
          report_pdf_ms: Math.round(pdf),
          report_incidents: INCIDENTS,
          report_pupils: PUPILS,
          report_connections: CONNECTIONS,
        },
        met: page.p99 < 200 && pdf < 3000,
      };
    } finally {
      await server.stop();
    }
  },
};

/**
 * The benchmark's parts, in the order they run. Subject access (issue 16 item 5) adds its part
 * here: `sar_ms` and `sar_rss_growth_mb`.
 */
export const parts: BenchPart[] = [reportPart, sarPart];

async function main(): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const only = process.env.BENCH_PARTS?.split(',').map((s) => s.trim());
  const loadBefore = os.loadavg();
  say(
    `Lanyard reports benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );
  const dataDir = makeDataDir('lanyard-bench-reports-');
  const sink = new SmtpSink();
  const figures: Record<string, unknown> = {};
  const targets: Record<string, string> = {};
  let met = true;
  try {
    await sink.start(0);
    let n = 0;
    for (const part of parts) {
      if (only && !only.includes(part.name)) continue;
      say(`${++n}. ${part.title}`);
      const result = await part.run({ say, freshDatabase, dataDir, smtpUrl: sink.url });
      Object.assign(figures, result.figures);
      Object.assign(targets, part.targets);
      met &&= result.met;
    }
  } finally {
    await sink.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP_DB) await dropDatabases().catch(() => undefined);
  }
  const loadAfter = os.loadavg();
  say(`   load average at the end ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  process.stdout.write(
    `${JSON.stringify({
      ...figures,
      load_average_1m_start: round(loadBefore[0]!, 2),
      load_average_1m_end: round(loadAfter[0]!, 2),
      cpus: os.cpus().length,
      targets,
      targets_met: met,
    })}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
