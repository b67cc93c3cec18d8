/**
 * `npm run bench:consent` — the consent check at scale (issue 3, "Benchmark"). Not a test: it
 * prints figures, and its last line is one JSON object.
 *
 * For each size (BENCH_SIZES, default 10000,100000,1000000 pupils; 500 pupils a school, so the
 * largest is 2,000 schools) a dedicated database `lanyard_bench_consent_<pupils>` on the
 * PostgreSQL in BENCH_PG_URL (default the machine's postgres://postgres@127.0.0.1:5432/postgres)
 * is created, migrated with the real migrations and filled with set-based SQL (INSERT … SELECT
 * generate_series): schools, each with a policy profile (three in four on the Lanyard defaults —
 * six purposes, photos and videos, naming — one in four on 003 Sacred Heart's), pupils with one
 * or two parents with parental responsibility (some with a third carer without it), and five
 * academic years of consent records: most granted, some refusing some uses or everything, some
 * "not returned", some never returned at all, a second parent's form for some pupils (some of
 * them disagreeing), and written withdrawals later in the year. Then VACUUM (ANALYZE). A database that
 * already holds a complete register of the right size is reused (generation is the slow part);
 * `--drop` drops every bench database and exits.
 *
 * Then, per size (the service measurements in rounds that take turns across the sizes, so the
 * other work on a shared machine weighs on every size alike):
 *  - single `consent.may()` (the service, in this process) for random pupils across all schools,
 *    after a warm-up: p50/p99;
 *  - `consent.mayMany()` for 30 random pupils of one random school: p50/p99;
 *  - `POST /api/v1/consent/check` for 30 random pupils (a Bearer token per school, 20 schools)
 *    against the real server (`src/main.ts web`, NODE_ENV=production, in its own process) with
 *    autocannon at 32 connections, beside `/healthz` in the same run, the two taking turns in
 *    5 rounds: requests/s, p99, ratio.
 *  - EXPLAIN (ANALYZE, BUFFERS) of the facts query for 30 pupils (the full plan at the largest).
 *
 * Targets at the largest size: batch p99 < 10 ms, API ≥ 0.3 × /healthz, p99 growth from the
 * smallest to the largest size ≤ 2× (`p99_growth`: the larger of the single and batch growth).
 *
 * Environment: BENCH_SIZES, BENCH_PG_URL, BENCH_DURATION (s, default 10), BENCH_PREWARM (0: do not
 * read the check's relations into the OS cache first), BENCH_INPROCESS_CACHE (1: the in-process
 * may()/mayMany() measurements use the register cache; by default they read the database, the
 * register's own scaling, while the API server runs as deployed, cache on), BENCH_CONNECTIONS
 * (default 32), BENCH_SINGLE (calls, default 3000), BENCH_BATCHES (default 1500), BENCH_CPU_PROF
 * (a folder: write a V8 CPU profile of the server under load there).
 */
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import {
  benchConfig,
  dbUrl,
  loadInRounds,
  round,
  say,
  startBenchServer,
  type Merged,
} from './support.ts';
import { createPlatform, createServices, type Platform } from '../../src/container.ts';
import { runMigrations } from '../../src/platform/db/migrate.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { FACTS_SQL } from '../../src/modules/consent/register/consent.repository.ts';
import {
  consentKeysFor,
  parseConsentKey,
} from '../../src/modules/consent/register/consent-rules.ts';
import {
  policySettingsSchema,
  type PolicySettings,
} from '../../src/modules/policies/policy-settings.ts';
import { getTemplate } from '../../src/modules/policies/templates/index.ts';
import { familyNames, givenNames } from '../../src/demo/names.ts';
import { makeDataDir } from '../support/lanyard-process.ts';

declare module 'autocannon' {
  interface Options {
    requests?: {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
    }[];
  }
}

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const PUPILS_PER_SCHOOL = 500;
const YEARS = [2022, 2023, 2024, 2025, 2026];
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SINGLE_CALLS = Number(process.env.BENCH_SINGLE ?? 3000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 1500);
const BATCH = 30;
const PREWARM = process.env.BENCH_PREWARM !== '0';
const INPROCESS_CACHE = process.env.BENCH_INPROCESS_CACHE === '1';
const ROUNDS = 5;
const TOKEN_SCHOOLS = 20;
const TEMPLATE_MAIN = 'the-avenue-primary';
const TEMPLATE_OTHER = 'sacred-heart-rochdale';
const DB_PREFIX = 'lanyard_bench_consent_';
const TARGET = { batchP99Ms: 10, apiRatio: 0.3, p99Growth: 2 };

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: round(pct(s, 50), 3), p99: round(pct(s, 99), 3), max: round(s.at(-1) ?? NaN, 3) };
}
function shuffleTake<T>(xs: readonly T[], n: number): T[] {
  const copy = [...xs];
  for (let i = 0; i < Math.min(n, copy.length); i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}
const sqlArray = (xs: readonly string[]) =>
  `ARRAY[${xs.map((x) => `'${x.replaceAll("'", "''")}'`).join(',')}]`;

// ---------------------------------------------------------------------------------------------
// Generation

function settingsOf(key: string): PolicySettings {
  const t = getTemplate(key);
  if (!t) throw new Error(`no template ${key}`);
  return policySettingsSchema.parse(t.settings);
}

/** The statements a form can make under a template: named sets of answers to every key. */
function variants(settings: PolicySettings): Record<string, Record<string, string>> {
  const keys = consentKeysFor(settings);
  const external = new Set(
    settings.consent.purposes.value.filter((p) => p.external).map((p) => p.key),
  );
  const all = (f: (purpose: string, kind: string) => string) =>
    Object.fromEntries(
      keys.map((k) => {
        const { purpose, kind } = parseConsentKey(k)!;
        return [k, f(purpose, kind)];
      }),
    );
  const withdrawExternal = Object.fromEntries(
    keys.filter((k) => external.has(parseConsentKey(k)!.purpose)).map((k) => [k, 'refused']),
  );
  return {
    all_granted: all(() => 'granted'),
    no_names: all((_p, kind) => (kind === 'name' ? 'refused' : 'granted')),
    no_video: all((_p, kind) => (kind === 'image' ? 'granted' : 'refused')),
    internal_only: all((p) => (external.has(p) ? 'refused' : 'granted')),
    all_refused: all(() => 'refused'),
    not_returned: all(() => 'not_returned'),
    withdraw_external: withdrawExternal,
  };
}

async function databaseState(
  admin: pg.Client,
  name: string,
): Promise<'complete' | 'partial' | 'absent'> {
  const r = await admin.query<{ comment: string | null }>(
    `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
    [name],
  );
  if (r.rows.length === 0) return 'absent';
  return r.rows[0]!.comment === 'lanyard consent bench: complete' ? 'complete' : 'partial';
}

async function generate(name: string, pupils: number): Promise<void> {
  const schools = Math.ceil(pupils / PUPILS_PER_SCHOOL);
  const url = dbUrl(name);
  const t0 = performance.now();
  await runMigrations(url);
  const c = new pg.Client({ connectionString: url, application_name: 'lanyard-bench-generate' });
  await c.connect();
  const step = async (what: string, sql: string, values: unknown[] = []) => {
    const t = performance.now();
    const r = await c.query(sql, values);
    say(`    ${what}: ${r.rowCount ?? 0} rows in ${Math.round(performance.now() - t)} ms`);
  };
  try {
    // A bulk load: the rows are consistent by construction, so skip the per-row foreign-key
    // triggers (superuser only) and do not wait for the WAL flush on each commit.
    await c.query(`SET session_replication_role = replica`);
    await c.query(`SET synchronous_commit = off`);
    await c.query(`SET work_mem = '256MB'`);
    await step(
      'schools',
      `INSERT INTO schools (name, slug)
       SELECT 'Bench Primary ' || n, 'bench-' || lpad(n::text, 4, '0') FROM generate_series(1, $1) n`,
      [schools],
    );
    await step(
      'policy profiles',
      `INSERT INTO policy_profiles (school_id, template_key, current_version, next_review_date)
       SELECT id, CASE WHEN substr(slug, 7)::int % 4 = 0 THEN $1 ELSE $2 END, 1, DATE '2027-09-01'
       FROM schools`,
      [TEMPLATE_OTHER, TEMPLATE_MAIN],
    );
    await step(
      'policy versions',
      `INSERT INTO policy_profile_versions (school_id, profile_id, version, settings, change_note)
       SELECT school_id, id, 1, CASE WHEN template_key = $1 THEN $2::jsonb ELSE $3::jsonb END,
              'Benchmark: adopted the template'
       FROM policy_profiles`,
      [
        TEMPLATE_OTHER,
        JSON.stringify(settingsOf(TEMPLATE_OTHER)),
        JSON.stringify(settingsOf(TEMPLATE_MAIN)),
      ],
    );
    await step(
      'office staff (API token holders)',
      `WITH s AS (
         INSERT INTO staff (school_id, email, given_name, family_name, job_title)
         SELECT id, 'office@' || slug || '.bench.example', 'Office', 'Bench', 'School Office'
         FROM schools WHERE substr(slug, 7)::int <= $1
         RETURNING id, school_id)
       INSERT INTO staff_roles (school_id, staff_id, role) SELECT school_id, id, 'office' FROM s`,
      [TOKEN_SCHOOLS],
    );
    await c.query(
      `CREATE TEMP TABLE bench_variants (template_key text, variant text, decisions jsonb)`,
    );
    for (const key of [TEMPLATE_MAIN, TEMPLATE_OTHER]) {
      for (const [variant, decisions] of Object.entries(variants(settingsOf(key)))) {
        await c.query(`INSERT INTO bench_variants VALUES ($1, $2, $3::jsonb)`, [
          key,
          variant,
          JSON.stringify(decisions),
        ]);
      }
    }
    const ids = (await c.query<{ id: string }>(`SELECT id FROM schools ORDER BY slug`)).rows.map(
      (r) => r.id,
    );
    const given = sqlArray(givenNames);
    const family = sqlArray(familyNames);
    const chunk = 100;
    for (let i = 0; i < ids.length; i += chunk) {
      const part = ids.slice(i, i + chunk);
      say(`  schools ${i + 1}–${i + part.length} of ${ids.length}`);
      await c.query('BEGIN');
      await step(
        'pupils',
        `INSERT INTO pupils (school_id, mis_id, given_name, family_name, date_of_birth, year_group,
                             class_name, admission_date, search_text)
         SELECT s.id, 'P' || lpad(g::text, 6, '0'), gn, fn,
                make_date(2020 - yi, 1 + (g * 7) % 12, 1 + (g * 13) % 28),
                yg, yg || ' ' || (CASE g % 2 WHEN 0 THEN 'Oak' ELSE 'Ash' END),
                make_date(2025 - yi, 9, 4),
                lower(gn || ' ' || fn || ' P' || lpad(g::text, 6, '0'))
         FROM schools s CROSS JOIN generate_series(1, ${PUPILS_PER_SCHOOL}) g
         CROSS JOIN LATERAL (SELECT (g - 1) % 7 AS yi) y
         CROSS JOIN LATERAL (SELECT (ARRAY['R','1','2','3','4','5','6'])[yi + 1] AS yg,
                                    (${given})[1 + (g * 31 + (hashtext(s.id::text) & 2147483647)::bigint) % ${givenNames.length}] AS gn,
                                    (${family})[1 + (g * 17 + (hashtext(s.slug) & 2147483647)::bigint) % ${familyNames.length}] AS fn) n
         WHERE s.id = ANY($1::uuid[])`,
        [part],
      );
      // Parent A for everyone, parent B for three in four, a carer without parental
      // responsibility for one in twenty.
      await step(
        'parents',
        `INSERT INTO parents (school_id, mis_id, given_name, family_name, email)
         SELECT p.school_id, r.tag || substr(p.mis_id, 2),
                (${given})[1 + ((hashtext(p.id::text || r.tag) & 2147483647)) % ${givenNames.length}],
                p.family_name,
                lower(r.tag || substr(p.mis_id, 2)) || '@' || p.school_id || '.bench.example'
         FROM pupils p CROSS JOIN (VALUES ('A', 0), ('B', 1), ('C', 2)) r(tag, n)
         WHERE p.school_id = ANY($1::uuid[])
           AND (r.n = 0 OR (r.n = 1 AND (hashtext(p.id::text || 'pb') & 2147483647) % 4 <> 0)
                OR (r.n = 2 AND (hashtext(p.id::text || 'pc') & 2147483647) % 20 = 0))`,
        [part],
      );
      // Fresh rows have no statistics yet: without them the joins below plan as nested loops.
      await c.query('ANALYZE pupils, parents');
      await step(
        'links',
        `INSERT INTO pupil_parents (school_id, pupil_id, parent_id, relationship, parental_responsibility)
         SELECT p.school_id, p.id, pa.id,
                CASE substr(pa.mis_id, 1, 1) WHEN 'A' THEN 'Mother' WHEN 'B' THEN 'Father' ELSE 'Step-parent' END,
                substr(pa.mis_id, 1, 1) <> 'C'
         FROM parents pa JOIN pupils p
           ON p.school_id = pa.school_id AND p.mis_id = 'P' || substr(pa.mis_id, 2)
         WHERE pa.school_id = ANY($1::uuid[])`,
        [part],
      );
      await c.query('ANALYZE pupil_parents, policy_profiles');
      await step(
        'consent records (5 years)',
        `WITH base AS MATERIALIZED (
           SELECT p.id AS pupil_id, p.school_id, pr.template_key, y,
                  (hashtext(p.id::text || ':' || y) & 2147483647) % 1000 AS h,
                  (hashtext(p.id::text || ':b:' || y) & 2147483647) % 1000 AS h2,
                  a.parent_id AS parent_a, b.parent_id AS parent_b,
                  make_date(y, 9, 1) AS valid_from, make_date(y + 1, 9, 1) AS valid_until,
                  y || '-' || lpad(((y + 1) % 100)::text, 2, '0') AS period_key
           FROM pupils p
           JOIN policy_profiles pr ON pr.school_id = p.school_id
           JOIN pupil_parents a ON a.pupil_id = p.id AND a.relationship = 'Mother'
           LEFT JOIN pupil_parents b ON b.pupil_id = p.id AND b.relationship = 'Father'
           CROSS JOIN generate_series(${YEARS[0]}, ${YEARS.at(-1)}) y
           WHERE p.school_id = ANY($1::uuid[])),
         a_forms AS (
           SELECT base.*, make_date(y, 9, 3) + (h % 28) AS decided_on,
                  CASE WHEN h < 50 THEN 'not_returned' WHEN h < 80 THEN 'all_refused'
                       WHEN h < 180 THEN 'internal_only' WHEN h < 260 THEN 'no_video'
                       WHEN h < 360 THEN 'no_names' ELSE 'all_granted' END AS variant
           FROM base WHERE h < 960),
         statements AS (
           SELECT school_id, pupil_id, template_key, period_key, valid_from, valid_until,
                  parent_a AS decider, variant, 'form' AS kind,
                  CASE h % 3 WHEN 0 THEN 'paper_form' ELSE 'online_form' END AS method,
                  decided_on, decided_on + (h % 4) AS recorded_on, h AS minute
           FROM a_forms
           UNION ALL
           SELECT school_id, pupil_id, template_key, period_key, valid_from, valid_until,
                  parent_b, CASE WHEN h2 < 45 THEN 'all_refused' WHEN h2 < 60 THEN 'internal_only'
                                 ELSE variant END,
                  'form', 'online_form', decided_on + (h2 % 20), decided_on + (h2 % 20), h2
           FROM a_forms WHERE parent_b IS NOT NULL AND h2 < 300
           UNION ALL
           SELECT school_id, pupil_id, template_key, period_key, valid_from, valid_until,
                  parent_a, 'withdraw_external', 'withdrawal', 'letter',
                  decided_on + 30 + (h2 % 150), decided_on + 31 + (h2 % 150), h2
           FROM a_forms WHERE variant <> 'not_returned' AND h2 >= 960)
         INSERT INTO consent_records (school_id, pupil_id, period_key, valid_from, valid_until,
                decider_kind, decider_parent_id, decisions, method, kind, decided_on, recorded_at,
                recorded_by_kind)
         SELECT st.school_id, st.pupil_id, st.period_key, st.valid_from, st.valid_until, 'parent',
                st.decider, v.decisions, st.method, st.kind, st.decided_on, ts,
                CASE st.method WHEN 'online_form' THEN 'parent' ELSE 'staff' END
         FROM statements st
         JOIN bench_variants v ON v.template_key = st.template_key AND v.variant = st.variant
         CROSS JOIN LATERAL (SELECT (st.recorded_on + time '08:00' + st.minute * interval '37 seconds')
                                    AT TIME ZONE 'Europe/London' AS ts) t
         WHERE ts < now()`,
        [part],
      );
      await c.query('COMMIT');
    }
    // VACUUM as well as ANALYZE: it sets the hint bits and the visibility map that a database
    // in service has long had, so the first read of each page is not a write.
    await step('VACUUM (ANALYZE)', `VACUUM (ANALYZE)`);
    await c.query(`COMMENT ON DATABASE "${name}" IS 'lanyard consent bench: complete'`);
  } finally {
    await c.end();
  }
  say(`  generated in ${Math.round((performance.now() - t0) / 1000)} s`);
}

async function ensureDatabase(pupils: number): Promise<string> {
  const name = `${DB_PREFIX}${pupils}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const state = await databaseState(admin, name);
    if (state === 'complete') {
      say(`  reusing ${name} (complete)`);
      return name;
    }
    if (state === 'partial') await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  say(`  generating ${name}: ${pupils} pupils in ${Math.ceil(pupils / PUPILS_PER_SCHOOL)} schools`);
  await generate(name, pupils);
  return name;
}

async function dropAll(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const r = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}%'`,
    );
    for (const { datname } of r.rows) {
      await admin.query(`DROP DATABASE "${datname}" WITH (FORCE)`);
      say(`dropped ${datname}`);
    }
  } finally {
    await admin.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement

interface SizeFigures {
  pupils: number;
  schools: number;
  records: number;
  db_mb: number;
  may: { p50: number; p99: number; max: number };
  batch: { p50: number; p99: number; max: number };
  facts_sql_ms: number;
  healthz_rps: number;
  healthz_p99_ms: number;
  api_rps: number;
  api_p50_ms: number;
  api_p99_ms: number;
  api_ratio: number;
  api_non2xx: number;
  api_errors: number;
}

/** A target's merged rounds, in the shape the rest of this file reads. */
function reshape(m: Merged) {
  return {
    requests: { average: m.rps },
    latency: { p50: m.p50, p99: m.p99 },
    non2xx: m.non2xx,
    errors: m.errors,
    timeouts: m.timeouts,
  };
}

/** One size, opened for measuring: services on its database and the pupils to ask about. */
interface Prepared {
  pupils: number;
  url: string;
  dataDir: string;
  sink: SmtpSink;
  platform: Platform | undefined;
  services: ReturnType<typeof createServices>;
  counts: { schools: string; records: string; mb: string };
  sample: { school_id: string; id: string }[];
  bySchool: Map<string, string[]>;
  schoolsForBatch: string[];
  singleMs: number[];
  batchMs: number[];
  allowed: number;
  calls: number;
}

async function prepare(pupils: number, name: string): Promise<Prepared> {
  const url = dbUrl(name);
  const dataDir = makeDataDir('lanyard-bench-consent-');
  const sink = new SmtpSink();
  await sink.start(0);
  const config = benchConfig(
    { url, dataDir, smtpUrl: sink.url },
    {
      // The register's own scaling: every in-process check reads the database (the cache of
      // ADR 0009 answers repeated checks from memory, which at the small size would otherwise be
      // compared with database reads at the large one). BENCH_INPROCESS_CACHE=1 keeps the cache
      // on.
      CONSENT_CACHE_PUPILS: INPROCESS_CACHE ? '20000' : '0',
    },
  );
  const platform = await createPlatform(config, { supervise: false });
  const services = createServices(platform);
  const pool = platform.database.pool;
  const counts = (
    await pool.query<{ schools: string; records: string; mb: string }>(
      `SELECT (SELECT count(*) FROM schools) AS schools,
              (SELECT count(*) FROM consent_records) AS records,
              pg_database_size(current_database()) / 1048576 AS mb`,
    )
  ).rows[0]!;
  say(
    `  ${pupils} pupils, ${counts.schools} schools, ${counts.records} consent records, database ${counts.mb} MB`,
  );
  // Random pupils across every school, and 30-pupil classes from random schools.
  const sample = (
    await pool.query<{ school_id: string; id: string }>(
      `SELECT school_id, id FROM pupils ORDER BY random() LIMIT $1`,
      [Math.min(SINGLE_CALLS + 1000, pupils)],
    )
  ).rows;
  const bySchool = new Map<string, string[]>();
  for (const r of (
    await pool.query<{ school_id: string; ids: string[] }>(
      `SELECT school_id, array_agg(id) AS ids FROM pupils
       WHERE school_id IN (SELECT id FROM schools ORDER BY random() LIMIT 200)
       GROUP BY school_id`,
    )
  ).rows)
    bySchool.set(r.school_id, r.ids);
  return {
    pupils,
    url,
    dataDir,
    sink,
    platform,
    services,
    counts,
    sample,
    bySchool,
    schoolsForBatch: [...bySchool.keys()],
    singleMs: [],
    batchMs: [],
    allowed: 0,
    calls: 0,
  };
}

function single(p: Prepared, i: number) {
  const r = p.sample[i % p.sample.length]!;
  return p.services.consent.may({
    schoolId: r.school_id,
    pupilId: r.id,
    purpose: 'school_social_media',
    mediaType: i % 2 === 0 ? 'image' : 'video',
    named: i % 5 === 0,
  });
}

async function batchOnce(p: Prepared) {
  const school = p.schoolsForBatch[Math.floor(Math.random() * p.schoolsForBatch.length)]!;
  const ids = shuffleTake(p.bySchool.get(school)!, BATCH);
  const answers = await p.services.consent.mayMany(
    school,
    ids.map((pupilId) => ({ pupilId, purpose: 'school_social_media', mediaType: 'image' })),
  );
  if (answers.length !== BATCH) throw new Error('mayMany returned the wrong number of answers');
}

/**
 * What the check reads, which a server in service has in memory: the covering indexes of
 * migration 0008 (the check's scans are index-only) and the small per-school rows.
 */
const CHECK_RELATIONS = [
  'pupils_school_name_idx',
  'pupils_pkey',
  'pupil_parents_responsibility_idx',
  'parents_check_names_idx',
  'pupil_competence_assessments',
  'pupil_competence_pupil_idx',
  'consent_records_check_idx',
  'policy_profiles',
  'policy_profiles_school_key',
  'consent_register_versions',
  'consent_register_versions_pkey',
];

/**
 * The steady state of a server in service, before anything is measured: the pages the check
 * reads are in memory (pg_prewarm's 'read' mode puts them in the operating system's cache, so
 * it works whatever PostgreSQL's shared_buffers; BENCH_PREWARM=0 skips it), and the process has
 * checked a pupil of every school once (so each school's policy version is parsed, as in a
 * long-running server). Then the usual warm-up calls.
 */
async function warm(p: Prepared): Promise<void> {
  const pool = p.platform!.database.pool;
  if (PREWARM) {
    const t = performance.now();
    let blocks = 0;
    try {
      await pool.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
      for (const rel of CHECK_RELATIONS) {
        const r = await pool.query<{ n: string }>(`SELECT pg_prewarm($1::regclass, 'read') AS n`, [
          rel,
        ]);
        blocks += Number(r.rows[0]!.n);
      }
      say(
        `  ${p.pupils}: pg_prewarm read ${Math.round(blocks / 128)} MB into the OS cache in ${Math.round(performance.now() - t)} ms`,
      );
    } catch (error) {
      say(`  ${p.pupils}: pg_prewarm unavailable (${(error as Error).message}); measuring cold`);
    }
  }
  const firsts = (
    await pool.query<{ school_id: string; id: string }>(
      `SELECT DISTINCT ON (school_id) school_id, id FROM pupils ORDER BY school_id, id`,
    )
  ).rows;
  for (const r of firsts) {
    await p.services.consent.may({
      schoolId: r.school_id,
      pupilId: r.id,
      purpose: 'school_social_media',
      mediaType: 'image',
    });
  }
  for (let i = 0; i < 500; i++) await single(p, i + SINGLE_CALLS);
  for (let i = 0; i < 200; i++) await batchOnce(p);
}

/** One slice of the single and batch measurements (the sizes take turns, see main). */
async function burst(p: Prepared, singles: number, batches: number): Promise<void> {
  for (let i = 0; i < singles; i++) {
    const t = performance.now();
    const a = await single(p, p.calls++);
    p.singleMs.push(performance.now() - t);
    if (a.allowed) p.allowed += 1;
  }
  for (let i = 0; i < batches; i++) {
    const t = performance.now();
    await batchOnce(p);
    p.batchMs.push(performance.now() - t);
  }
}

async function explain(p: Prepared, printPlan: boolean): Promise<number> {
  const planSchool = p.schoolsForBatch[0]!;
  const plan = await p.platform!.database.pool.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${FACTS_SQL}`,
    [planSchool, shuffleTake(p.bySchool.get(planSchool)!, BATCH), new Date()],
  );
  const lines = plan.rows.map((r) => r['QUERY PLAN']);
  const execution = Number(/Execution Time: ([\d.]+)/.exec(lines.join('\n'))?.[1] ?? Number.NaN);
  say(`  ${p.pupils}: facts query for 30 pupils ${execution} ms (EXPLAIN ANALYZE)`);
  if (printPlan) {
    say('  plan:');
    for (const line of lines) say(`    ${line}`);
  }
  return execution;
}

/** The API: the real server in its own process, beside /healthz. Closes the size's services. */
async function measureApi(p: Prepared) {
  const pool = p.platform!.database.pool;
  const tokens: { token: string; pupils: string[] }[] = [];
  const holders = (
    await pool.query<{ id: string; school_id: string; ids: string[] }>(
      `SELECT st.id, st.school_id, (SELECT array_agg(p.id) FROM pupils p WHERE p.school_id = st.school_id) AS ids
       FROM staff st WHERE st.email LIKE 'office@bench-%' ORDER BY st.email`,
    )
  ).rows;
  for (const h of holders) {
    tokens.push({
      token: await p.services.auth.createApiToken(h.id, h.school_id, 'consent benchmark'),
      pupils: h.ids,
    });
  }
  await p.platform!.close();
  p.platform = undefined;

  // The per-address /api limit is off: the load comes from one address (support.ts).
  const server = await startBenchServer({
    url: p.url,
    dataDir: p.dataDir,
    smtpUrl: p.sink.url,
    cpuProfile: true,
  });
  const base = server.base;
  try {
    // Request bodies are drawn from a pool built beforehand, so that the load generator, which
    // shares the two cores with the server, spends its time sending rather than shuffling.
    const bodies = Array.from({ length: 4096 }, () => {
      const t = tokens[Math.floor(Math.random() * tokens.length)]!;
      return {
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          purpose: 'school_social_media',
          mediaType: 'image',
          pupilIds: shuffleTake(t.pupils, BATCH),
        }),
      };
    });
    const body = () => bodies[Math.floor(Math.random() * bodies.length)]!;
    const probe = body();
    const check = await fetch(`${base}/api/v1/consent/check`, {
      method: 'POST',
      headers: probe.headers,
      body: probe.body,
    });
    const checked = (await check.json()) as { results?: unknown[] };
    if (check.status !== 200 || checked.results?.length !== BATCH) {
      throw new Error(`POST /api/v1/consent/check → ${check.status} ${JSON.stringify(checked)}`);
    }
    const apiOptions = {
      requests: [
        {
          method: 'POST',
          path: '/api/v1/consent/check',
          setupRequest: (req: Record<string, unknown>) => ({ ...req, ...body() }),
        },
      ],
    };
    // Both warm up, then take turns in ROUNDS rounds (as bench:http does), so that other work on
    // a shared machine, which comes and goes, weighs on the baseline and the API alike.
    const merged = await loadInRounds({
      targets: [
        { name: 'healthz', url: `${base}/healthz` },
        { name: 'api', url: base, options: apiOptions },
      ],
      connections: CONNECTIONS,
      rounds: ROUNDS,
      slice: Math.max(1, Math.round(DURATION / ROUNDS)),
      warmup: WARMUP,
    });
    const healthz = reshape(merged.healthz);
    const api = reshape(merged.api);
    const ratio = round(api.requests.average / healthz.requests.average, 3);
    say(
      `  ${p.pupils}: /healthz ${Math.round(healthz.requests.average)} req/s, p99 ${healthz.latency.p99} ms; ` +
        `POST /api/v1/consent/check (30 pupils) ${Math.round(api.requests.average)} req/s, ` +
        `p50 ${api.latency.p50} ms, p99 ${api.latency.p99} ms, ratio ${ratio}, ` +
        `non-2xx ${api.non2xx}, errors ${api.errors + api.timeouts}`,
    );
    return { healthz, api, ratio };
  } finally {
    await server.stop();
  }
}

async function release(p: Prepared): Promise<void> {
  await p.platform?.close().catch(() => undefined);
  p.platform = undefined;
  await p.sink.stop().catch(() => undefined);
  fs.rmSync(p.dataDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (process.argv.includes('--drop')) {
    await dropAll();
    return;
  }
  say(
    `Lanyard consent benchmark — Node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}`,
  );
  const loadBefore = os.loadavg()[0]!;
  say(
    `load average before: ${loadBefore.toFixed(2)} (other work on the machine skews every figure)`,
  );
  const prepared: Prepared[] = [];
  const figures: SizeFigures[] = [];
  try {
    for (const size of SIZES) {
      say(`\n== ${size} pupils`);
      const name = await ensureDatabase(size);
      prepared.push(await prepare(size, name));
    }
    // The sizes take turns, a slice each per round, so that the other work on the machine
    // (which comes and goes) weighs on every size alike and the growth compares like with like.
    say(
      `\nmay() and mayMany(30), ${ROUNDS} rounds taking turns across the sizes (after warm-up), ` +
        (INPROCESS_CACHE
          ? 'with the register cache'
          : 'every check reading the database (the cache off; the API below has it on)'),
    );
    for (const p of prepared) await warm(p);
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of prepared) {
        await burst(p, Math.ceil(SINGLE_CALLS / ROUNDS), Math.ceil(BATCHES / ROUNDS));
      }
    }
    for (const p of prepared) {
      const may = stats(p.singleMs);
      const batch = stats(p.batchMs);
      say(
        `  ${p.pupils}: may() p50 ${may.p50} ms, p99 ${may.p99} ms, max ${may.max} ms (${p.singleMs.length} calls, ${Math.round((100 * p.allowed) / p.calls)}% allowed); ` +
          `mayMany(30) p50 ${batch.p50} ms, p99 ${batch.p99} ms, max ${batch.max} ms (${p.batchMs.length} batches)`,
      );
    }
    const sql = new Map<number, number>();
    for (const p of prepared) sql.set(p.pupils, await explain(p, p === prepared.at(-1)));
    say(
      `\nAPI, ${CONNECTIONS} connections, ${WARMUP} s warm-up, then ${DURATION} s per target in ${ROUNDS} rounds taking turns`,
    );
    for (const p of prepared) {
      const { healthz, api, ratio } = await measureApi(p);
      figures.push({
        pupils: p.pupils,
        schools: Number(p.counts.schools),
        records: Number(p.counts.records),
        db_mb: Number(p.counts.mb),
        may: stats(p.singleMs),
        batch: stats(p.batchMs),
        facts_sql_ms: sql.get(p.pupils)!,
        healthz_rps: Math.round(healthz.requests.average),
        healthz_p99_ms: healthz.latency.p99,
        api_rps: Math.round(api.requests.average),
        api_p50_ms: api.latency.p50,
        api_p99_ms: api.latency.p99,
        api_ratio: ratio,
        api_non2xx: api.non2xx,
        api_errors: api.errors + api.timeouts,
      });
    }
  } finally {
    for (const p of prepared) await release(p);
  }
  const small = figures[0]!;
  const large = figures.at(-1)!;
  const mayGrowth = round(large.may.p99 / small.may.p99, 2);
  const batchGrowth = round(large.batch.p99 / small.batch.p99, 2);
  const apiGrowth = round(large.api_p99_ms / small.api_p99_ms, 2);
  const p99Growth = Math.max(mayGrowth, batchGrowth);

  say('');
  say(
    `${'pupils'.padStart(9)} ${'schools'.padStart(7)} ${'records'.padStart(9)} ${'may p50'.padStart(8)} ${'may p99'.padStart(8)} ${'batch p50'.padStart(9)} ${'batch p99'.padStart(9)} ${'sql ms'.padStart(7)} ${'healthz/s'.padStart(9)} ${'api/s'.padStart(7)} ${'api p99'.padStart(7)} ${'ratio'.padStart(6)}`,
  );
  for (const f of figures) {
    say(
      `${String(f.pupils).padStart(9)} ${String(f.schools).padStart(7)} ${String(f.records).padStart(9)} ${String(f.may.p50).padStart(8)} ${String(f.may.p99).padStart(8)} ${String(f.batch.p50).padStart(9)} ${String(f.batch.p99).padStart(9)} ${String(f.facts_sql_ms).padStart(7)} ${String(f.healthz_rps).padStart(9)} ${String(f.api_rps).padStart(7)} ${String(f.api_p99_ms).padStart(7)} ${f.api_ratio.toFixed(3).padStart(6)}`,
    );
  }
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSES TARGET');
  say('');
  say(
    `batch p99 at ${large.pupils}: ${large.batch.p99} ms (target < ${TARGET.batchP99Ms}) ${verdict(large.batch.p99 < TARGET.batchP99Ms)}`,
  );
  say(
    `API ratio at ${large.pupils}: ${large.api_ratio} (target ≥ ${TARGET.apiRatio}) ${verdict(large.api_ratio >= TARGET.apiRatio)}`,
  );
  say(
    `p99 growth ${small.pupils} → ${large.pupils}: may ${mayGrowth}×, batch ${batchGrowth}× (target ≤ ${TARGET.p99Growth}×) ${verdict(p99Growth <= TARGET.p99Growth)}; API p99 ${apiGrowth}× (under load, for information)`,
  );
  const summary = {
    bench: 'consent',
    node: process.version,
    cpus: os.cpus().length,
    inprocess_cache: INPROCESS_CACHE,
    loadavg_before: round(loadBefore, 2),
    loadavg_after: round(os.loadavg()[0]!, 2),
    sizes: figures.map((f) => f.pupils),
    pupils: large.pupils,
    schools: large.schools,
    consent_records: large.records,
    may_p50_ms: large.may.p50,
    may_p99_ms: large.may.p99,
    batch_p50_ms: large.batch.p50,
    batch_p99_ms: large.batch.p99,
    facts_sql_ms: large.facts_sql_ms,
    healthz_rps: large.healthz_rps,
    api_rps: large.api_rps,
    api_p99_ms: large.api_p99_ms,
    api_ratio: large.api_ratio,
    p99_growth: p99Growth,
    may_p99_growth: mayGrowth,
    batch_p99_growth: batchGrowth,
    api_p99_growth: apiGrowth,
    per_size: figures.map((f) => ({
      pupils: f.pupils,
      may_p50_ms: f.may.p50,
      may_p99_ms: f.may.p99,
      batch_p50_ms: f.batch.p50,
      batch_p99_ms: f.batch.p99,
      api_rps: f.api_rps,
      api_p99_ms: f.api_p99_ms,
      api_ratio: f.api_ratio,
      healthz_rps: f.healthz_rps,
    })),
    connections: CONNECTIONS,
    duration_s: DURATION,
    non2xx: figures.reduce((n, f) => n + f.api_non2xx, 0),
    errors: figures.reduce((n, f) => n + f.api_errors, 0),
    targets_met:
      large.batch.p99 < TARGET.batchP99Ms &&
      large.api_ratio >= TARGET.apiRatio &&
      p99Growth <= TARGET.p99Growth,
  };
  say(JSON.stringify(summary));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
