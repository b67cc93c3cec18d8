import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { TrainingRepository } from '../../src/modules/training/training.repository.ts';

/**
 * The compliance view's reads at trust scale: 50 schools × 100 staff × 5 years of sessions (20 a
 * year), every member of staff at every session: 500,000 attendance rows. Each school's latest
 * attendance per person and kind must come from the partial index
 * training_attendance_compliance, not a scan of the table.
 */
describe('training status reads at trust scale (real PostgreSQL)', () => {
  let ctx: TestContext;
  const schoolIds: string[] = [];

  beforeAll(async () => {
    ctx = await createTestServices();
    const pool = ctx.platform.database.pool;
    const schools = await pool.query<{ id: string }>(
      `INSERT INTO schools (name, slug)
       SELECT 'Scale school ' || g, 'scale-' || g FROM generate_series(1, 50) g RETURNING id`,
    );
    schoolIds.push(...schools.rows.map((r) => r.id));
    const kinds = ['staff_induction', 'staff_regular', 'at_risk_identification'];
    await pool.query(
      `INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer)
       SELECT s.id, ($1::text[])[1 + (g % 3)], 'staff', 'Session ' || g,
              now() - (g * interval '18 days'), 'Hall', 'DSL'
       FROM unnest($2::uuid[]) s(id), generate_series(1, 100) g`,
      [kinds, schoolIds],
    );
    await pool.query(
      `WITH staff AS (
         SELECT s.id AS school_id, gen_random_uuid() AS person_id
         FROM unnest($1::uuid[]) s(id), generate_series(1, 100))
       INSERT INTO training_attendance
         (school_id, session_id, kind, person_kind, person_id, attended, attended_on, source, recorded_at)
       SELECT t.school_id, t.id, t.kind, 'staff', st.person_id, true, t.starts_at::date, 'room', t.starts_at
       FROM training_sessions t JOIN staff st ON st.school_id = t.school_id`,
      [schoolIds],
    );
    // What the repository keeps with every attendance write (as migration 0044's backfill does).
    await pool.query(
      `INSERT INTO training_latest (school_id, person_kind, person_id, kind, last_attended)
       SELECT school_id, person_kind, person_id, kind, max(attended_on) FROM training_attendance
       WHERE attended GROUP BY school_id, person_kind, person_id, kind`,
    );
    await pool.query('ANALYZE training_attendance');
    await pool.query('ANALYZE training_latest');
  }, 300_000);
  afterAll(async () => ctx?.close());

  it('reads one school’s latest attendance per person and kind without scanning the history', async () => {
    const pool = ctx.platform.database.pool;
    const count = await pool.query<{ n: string }>('SELECT count(*) AS n FROM training_attendance');
    expect(Number(count.rows[0]!.n)).toBe(500_000);
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT person_id, kind, last_attended FROM training_latest
       WHERE school_id = $1 AND person_kind = 'staff'`,
      [schoolIds[0]],
    );
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('training_latest_school_id_person_kind_person_id_kind_pk');
    expect(text).not.toMatch(/Seq Scan/);
    // A whole trust's figures (50 schools, per kind and school) in one statement.
    const trustStart = performance.now();
    const trust = await pool.query(
      `SELECT school_id, kind, count(*) FILTER (WHERE last_attended > now() - interval '1 year') AS recent
       FROM training_latest WHERE school_id = ANY($1::uuid[]) AND person_kind = 'staff'
       GROUP BY school_id, kind`,
      [schoolIds],
    );
    const trustMs = performance.now() - trustStart;
    expect(trust.rows).toHaveLength(150);

    const repo = new TrainingRepository();
    const db = ctx.platform.database.db;
    const times: number[] = [];
    for (const id of schoolIds) {
      const start = performance.now();
      const rows = await repo.latestAttendance(db, id, 'staff');
      times.push(performance.now() - start);
      expect(rows).toHaveLength(300);
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)]!;
    const p99 = times[Math.floor(times.length * 0.99)]!;
    const all = times.reduce((a, b) => a + b, 0);
    console.log(
      `training scale: latest attendance per school p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; all 50 schools one by one ${all.toFixed(0)} ms; the trust's figures in one statement ${trustMs.toFixed(1)} ms`,
    );
    expect(p50).toBeLessThan(100);
  });
});
