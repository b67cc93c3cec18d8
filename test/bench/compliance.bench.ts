/**
 * `npm run bench:compliance` — the compliance view at trust scale (issue 17, "Tests and
 * benchmark"). Not a test: it prints figures, and its last line is one JSON object.
 *
 * 1. A fresh database `lanyard_bench_compliance` on BENCH_PG_URL (default
 *    postgres://postgres@127.0.0.1:5432/postgres), migrated with the real migrations: a trust of
 *    50 schools (`createSchool`, each with its policy) × 100 staff (90 more per school by INSERT …
 *    SELECT generate_series, roles spread over teachers, support staff, office, volunteers and
 *    governors), five years of staff training (20 sessions a year per school, three kinds, every
 *    member of staff registered at each, 80 % attending: 500,000 attendance rows), each person's
 *    latest attendance (`training_latest`, as the repository keeps it with every write), the
 *    current policy acknowledged by 85 % and "due again" marks after an incident for 5 %.
 * 2. The real server (`dist/main.js web` as `npm start` runs it, or tsx with BENCH_TSX=1;
 *    NODE_ENV=production, its own process) under autocannon at BENCH_CONNECTIONS (16): one school's compliance view (GET /compliance, the Business
 *    Manager's session: names, every person and kind) and the trust's view (GET
 *    /trust/compliance, the organisation admin's session: figures for 50 schools) against
 *    /healthz, taking turns in BENCH_ROUNDS (5) rounds of BENCH_DURATION/ROUNDS seconds each.
 *    `compliance_p99_ms` and `compliance_ratio` (req/s against /healthz's) are the school's view
 *    (targets < 100 ms and ≥ 0.2); `trust_p99_ms` and `trust_ratio` the trust's (the same
 *    targets: its figures and page are kept per trust and checked against the cache versions of
 *    the trust and its 50 schools, one statement a request). `trust_first_ms` is the trust's
 *    first page (every school read), `trust_one_changed_ms` its page after one school's version
 *    moved (that school read again, the other 49 reused). The same
 *    person's home page (`/`, the dashboard: kept per school and checked against the school's
 *    cache version, as the compliance view is) takes its turn too, as a reference: both pay
 *    the same one statement per request (the version), so on a loaded machine where that
 *    statement waits, `dashboard_ratio` shows the floor any fresh signed-in page has here.
 *
 * The load average is printed at the start and the end, and is in the JSON: on a shared machine
 * the absolute times mean little without it; the ratios, measured in the same run in rounds, less
 * so.
 *
 * Environment: BENCH_PG_URL, BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 5),
 * BENCH_CONNECTIONS (default 16), BENCH_KEEP_DB=1 keeps the database.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { createPlatform, createServices } from '../../src/container.ts';
import { SmtpSink } from '../../src/platform/mail/smtp-sink.ts';
import { randomToken } from '../../src/platform/crypto.ts';
import { createSchool, TEST_PASSWORD } from '../support/factories.ts';
import { makeDataDir } from '../support/lanyard-process.ts';
import { loadRaw, mergeRuns, type RawRun } from './rounds.ts';
import {
  adminQuery,
  expectPage,
  freshDatabase,
  round,
  say,
  signIn,
  startBenchServer,
} from './support.ts';

const DB_NAME = 'lanyard_bench_compliance';
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SCHOOLS = 50;
const STAFF_PER_SCHOOL = 100;
const YEARS = 5;
const SESSIONS_PER_YEAR = 20;

export const TARGET = {
  compliance_p99_ms: '< 100',
  compliance_ratio: '>= 0.2',
  trust_p99_ms: '< 100',
  trust_ratio: '>= 0.2',
} as const;

const load1 = () => round(os.loadavg()[0]!, 2);

/** 1. The trust: schools through the factory, the rest by SQL generate_series. */
async function seed(url: string, dataDir: string, smtpUrl: string) {
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
  try {
    const services = createServices(platform);
    const pool = platform.database.pool;
    const t0 = performance.now();
    const { rows: org } = await pool.query<{ id: string }>(
      `INSERT INTO organisations (name) VALUES ('Bench Learning Trust') RETURNING id`,
    );
    const organisationId = org[0]!.id;
    const schools = [];
    for (let i = 0; i < SCHOOLS; i++)
      schools.push(await createSchool(services, { slug: `bench-compliance-${i + 1}`, pupils: 2 }));
    const ids = schools.map((s) => s.school.id);
    await pool.query('UPDATE schools SET organisation_id = $1 WHERE id = ANY($2::uuid[])', [
      organisationId,
      ids,
    ]);
    const adminEmail = 'admin@bench-trust.test';
    const { rows: hash } = await pool.query<{ password_hash: string }>(
      'SELECT password_hash FROM staff WHERE id = $1',
      [schools[0]!.staff.business_manager.id],
    );
    await pool.query(
      `INSERT INTO organisation_admins (organisation_id, email, name, password_hash)
       VALUES ($1, $2, 'Bench Trust Admin', $3)`,
      [organisationId, adminEmail, hash[0]!.password_hash],
    );
    say(
      `   ${SCHOOLS} schools with their policies in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const t1 = performance.now();
    const extra = STAFF_PER_SCHOOL - 10;
    await pool.query(
      `WITH s AS (SELECT id, slug FROM schools WHERE id = ANY($1::uuid[])),
       rows AS (
         SELECT gen_random_uuid() AS id, s.id AS school_id, s.slug, g
         FROM s, generate_series(1, $2::int) g
       ), ins AS (
         INSERT INTO staff (id, school_id, email, given_name, family_name, start_date)
         SELECT id, school_id, 'staff' || g || '@' || slug || '.test', 'Person' || g,
                'Bench' || (g % 37), (current_date - (g * 29 % 3650))::date
         FROM rows RETURNING id, school_id, given_name
       )
       INSERT INTO staff_roles (school_id, staff_id, role)
       SELECT school_id, id,
              (ARRAY['teacher','teacher','teacher','teacher','teacher','support_staff',
                     'support_staff','office','volunteer','governor'])
                [1 + (substr(given_name, 7)::int % 10)]
       FROM ins`,
      [ids, extra],
    );
    const kinds = ['staff_induction', 'staff_regular', 'at_risk_identification'];
    const sessions = YEARS * SESSIONS_PER_YEAR;
    await pool.query(
      `INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer)
       SELECT s.id, ($1::text[])[1 + (g % 3)], 'staff', 'Session ' || g,
              now() - (g * interval '1 day' * (365.0 * $3 / $4)), 'Hall', 'The DSL'
       FROM unnest($2::uuid[]) s(id), generate_series(1, $4::int) g`,
      [kinds, ids, YEARS, sessions],
    );
    await pool.query(
      `INSERT INTO training_attendance
         (school_id, session_id, kind, person_kind, person_id, attended, attended_on, source, recorded_at)
       SELECT t.school_id, t.id, t.kind, 'staff', st.id, random() < 0.8, t.starts_at::date, 'room', t.starts_at
       FROM training_sessions t JOIN staff st ON st.school_id = t.school_id
       WHERE t.school_id = ANY($1::uuid[])`,
      [ids],
    );
    // What the repository keeps with every attendance write.
    await pool.query(
      `INSERT INTO training_latest (school_id, person_kind, person_id, kind, last_attended)
       SELECT school_id, person_kind, person_id, kind, max(attended_on) FROM training_attendance
       WHERE attended GROUP BY school_id, person_kind, person_id, kind
       ON CONFLICT (school_id, person_kind, person_id, kind)
       DO UPDATE SET last_attended = excluded.last_attended`,
    );
    await pool.query(
      `INSERT INTO policy_acknowledgements
         (school_id, person_kind, person_id, policy_version_id, policy_version, acknowledged_at, recorded_by)
       SELECT st.school_id, 'staff', st.id, v.id, v.version, now() - interval '20 days', st.id
       FROM staff st
       JOIN policy_profiles p ON p.school_id = st.school_id
       JOIN policy_profile_versions v ON v.profile_id = p.id AND v.version = p.current_version
       WHERE st.school_id = ANY($1::uuid[]) AND random() < 0.85
       ON CONFLICT DO NOTHING`,
      [ids],
    );
    await pool.query(
      `INSERT INTO training_due_again (school_id, staff_id, kind, reason, reference, marked_on, marked_at)
       SELECT school_id, id, 'staff_regular', 'incident', gen_random_uuid()::text,
              current_date - 10, now() - interval '10 days'
       FROM staff WHERE school_id = ANY($1::uuid[]) AND random() < 0.05`,
      [ids],
    );
    await pool.query(
      'ANALYZE staff, staff_roles, training_sessions, training_attendance, training_latest, policy_acknowledgements, training_due_again',
    );
    const { rows: n } = await pool.query<{ staff: string; attendance: string; latest: string }>(
      `SELECT (SELECT count(*) FROM staff) AS staff,
              (SELECT count(*) FROM training_attendance) AS attendance,
              (SELECT count(*) FROM training_latest) AS latest`,
    );
    say(
      `   ${Number(n[0]!.staff).toLocaleString('en-GB')} staff, ${Number(n[0]!.attendance).toLocaleString('en-GB')} attendance rows over ${YEARS} years, ${Number(n[0]!.latest).toLocaleString('en-GB')} latest rows, in ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    return { bmEmail: schools[0]!.staff.business_manager.email, adminEmail };
  } finally {
    await platform.close();
  }
}

/** 2. The real server: the school's view, the trust's view and /healthz in rounds. */
async function measure(
  url: string,
  dataDir: string,
  smtpUrl: string,
  emails: { bmEmail: string; adminEmail: string },
) {
  const server = await startBenchServer({ url, dataDir, smtpUrl, cpuProfile: true });
  const base = server.base;
  try {
    const bm = await signIn(base, emails.bmEmail, TEST_PASSWORD);
    const admin = await signIn(base, emails.adminEmail, TEST_PASSWORD);
    const school = await expectPage(`${base}/compliance`, bm, /Person90 Bench/);
    const rows = (school.match(/<th scope="row">Person/g) ?? []).length;
    const tFirst = performance.now();
    const trust = await expectPage(
      `${base}/trust/compliance`,
      admin,
      /bench-compliance-50 School/,
      /Person\d+ Bench|@bench-compliance/,
    );
    const trustFirst = performance.now() - tFirst;
    const trustRows = (trust.match(/bench-compliance-\d+ School/g) ?? []).length;
    say(
      `   the school's view names ${rows + 10} people; the trust's view has ${trustRows} schools and no name`,
    );
    // The trust's page after one school's cache version moved (as any change there does): that
    // school is read again, the other 49 reused, the page rendered again.
    const bump = new pg.Client({ connectionString: url });
    await bump.connect();
    try {
      await bump.query(
        `INSERT INTO cache_versions AS v (scope, version)
           SELECT id, 1 FROM schools WHERE slug = 'bench-compliance-7'
         ON CONFLICT (scope) DO UPDATE SET version = v.version + 1`,
      );
    } finally {
      await bump.end();
    }
    const t0 = performance.now();
    await (await fetch(`${base}/trust/compliance`, { headers: { cookie: admin } })).text();
    const trustOneChanged = performance.now() - t0;
    // One request at a time first: what a single view costs with the server otherwise idle.
    const single: Record<string, number> = {};
    for (const [name, path, cookie] of [
      ['school', '/compliance', bm],
      ['trust', '/trust/compliance', admin],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const res = await fetch(`${base}${path}`, { headers: { cookie } });
        await res.text();
        times.push(performance.now() - t0);
      }
      single[name] = Math.min(...times);
    }
    say(
      `   one request at a time (best of 5): school ${single.school!.toFixed(1)} ms, trust ${single.trust!.toFixed(1)} ms (kept; the first page ${trustFirst.toFixed(1)} ms, after one school changed ${trustOneChanged.toFixed(1)} ms)`,
    );
    const targets = [
      { name: 'healthz', url: `${base}/healthz`, headers: {} as Record<string, string> },
      { name: 'school', url: `${base}/compliance`, headers: { cookie: bm } },
      { name: 'trust', url: `${base}/trust/compliance`, headers: { cookie: admin } },
      { name: 'dashboard', url: `${base}/`, headers: { cookie: bm } },
    ];
    const slice = Math.max(1, Math.round(DURATION / ROUNDS));
    for (const t of targets)
      await loadRaw({ url: t.url, headers: t.headers, connections: CONNECTIONS, duration: 1 });
    const runs: Record<string, RawRun[]> = { healthz: [], school: [], trust: [], dashboard: [] };
    for (let r = 0; r < ROUNDS; r++)
      for (const t of targets)
        runs[t.name]!.push(
          await loadRaw({
            url: t.url,
            headers: t.headers,
            connections: CONNECTIONS,
            duration: slice,
          }),
        );
    const merged = Object.fromEntries(
      targets.map((t) => [t.name, mergeRuns(t.url, CONNECTIONS, runs[t.name]!)]),
    ) as Record<'healthz' | 'school' | 'trust' | 'dashboard', ReturnType<typeof mergeRuns>>;
    for (const t of ['school', 'trust', 'dashboard'] as const)
      if (merged[t].non2xx > 0 || merged[t].errors > 0)
        throw new Error(`${t}: ${merged[t].non2xx} non-2xx and ${merged[t].errors} errors`);
    return { ...merged, single, trustFirst, trustOneChanged };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const loadStart = load1();
  say(
    `Lanyard compliance benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${loadStart}`,
  );
  const dataDir = makeDataDir('lanyard-bench-compliance-');
  const sink = new SmtpSink();
  let figures: Record<string, unknown> = {};
  try {
    say(
      `1. Database: a trust of ${SCHOOLS} schools × ${STAFF_PER_SCHOOL} staff, ${YEARS} years of sessions`,
    );
    const url = await freshDatabase(DB_NAME);
    await sink.start(0);
    const emails = await seed(url, dataDir, sink.url);
    say(
      `2. One school's view and the trust's view against /healthz (${CONNECTIONS} connections, ${ROUNDS} rounds)`,
    );
    const m = await measure(url, dataDir, sink.url, emails);
    const ratio = m.school.rps / m.healthz.rps;
    const trustRatio = m.trust.rps / m.healthz.rps;
    const dashboardRatio = m.dashboard.rps / m.healthz.rps;
    const loadEnd = load1();
    say(
      `   /healthz ${Math.round(m.healthz.rps)} req/s (p99 ${m.healthz.p99} ms); school ${Math.round(m.school.rps)} req/s (p50 ${m.school.p50} ms, p99 ${m.school.p99} ms), ratio ${ratio.toFixed(3)}; trust ${Math.round(m.trust.rps)} req/s (p50 ${m.trust.p50} ms, p99 ${m.trust.p99} ms), ratio ${trustRatio.toFixed(3)}; dashboard (reference) ${Math.round(m.dashboard.rps)} req/s (p99 ${m.dashboard.p99} ms), ratio ${dashboardRatio.toFixed(3)}; load average ${loadStart} → ${loadEnd}`,
    );
    figures = {
      compliance_p99_ms: m.school.p99,
      compliance_ratio: round(ratio, 3),
      trust_p99_ms: m.trust.p99,
      trust_ratio: round(trustRatio, 3),
      compliance_p50_ms: m.school.p50,
      compliance_rps: round(m.school.rps, 0),
      trust_p50_ms: m.trust.p50,
      trust_rps: round(m.trust.rps, 0),
      healthz_rps: round(m.healthz.rps, 0),
      dashboard_ratio: round(dashboardRatio, 3),
      dashboard_p99_ms: m.dashboard.p99,
      dashboard_rps: round(m.dashboard.rps, 0),
      compliance_single_ms: round(m.single.school!, 1),
      trust_single_ms: round(m.single.trust!, 1),
      trust_first_ms: round(m.trustFirst, 1),
      trust_one_changed_ms: round(m.trustOneChanged, 1),
      healthz_p99_ms: m.healthz.p99,
      schools: SCHOOLS,
      staff_per_school: STAFF_PER_SCHOOL,
      years: YEARS,
      connections: CONNECTIONS,
      load_average: [loadStart, loadEnd],
      cpus: os.cpus().length,
      targets: TARGET,
      targets_met: m.school.p99 < 100 && ratio >= 0.2 && m.trust.p99 < 100 && trustRatio >= 0.2,
    };
  } finally {
    await sink.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (!process.env.BENCH_KEEP_DB)
      await adminQuery(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`).catch(() => undefined);
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
