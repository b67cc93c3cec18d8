/**
 * The case list's keyset cursor on real PostgreSQL: PostgreSQL keeps a case's time to the
 * microsecond, so the cursor carries it exactly (a cursor cut to the millisecond, as a
 * JavaScript Date is, skipped or repeated cases whose times differ below one). Cases with equal
 * times and times a microsecond apart are each found exactly once, in order, at every page size,
 * through the cursor's URL text; and the list's statement still walks the school's index from
 * the cursor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import type { Principal } from '../../src/modules/auth/principal.ts';
import {
  caseCursorParam,
  parseCaseCursor,
  type ReportInput,
} from '../../src/modules/incidents/incidents.forms.ts';

const input: ReportInput = {
  whatHappened: 'Mean messages in a group chat',
  reporterConcern: 'no',
  pupils: [],
  staff: [],
  named: [],
  pupilPart: undefined,
  staffPart: undefined,
};

/** Microseconds after 10:11:12 on 4 March 2026: equal times, one microsecond apart, and a millisecond's edges. */
const OFFSETS = [0, 0, 0, 1, 2, 999, 1000, 1000, 1001, 1999, 123456, 123456, 123457, 999999];

describe('incidents case list cursor (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let expected: string[];
  const q = async (sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows;
  const dsl = (): Principal & { kind: 'staff' } => ({
    kind: 'staff',
    id: fx.staff.dsl.id,
    schoolId: fx.school.id,
    roles: ['dsl'],
    name: 'dsl',
  });

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { pupils: 1 });
    const teacher: Principal & { kind: 'staff' } = {
      kind: 'staff',
      id: fx.staff.teacher.id,
      schoolId: fx.school.id,
      roles: ['teacher'],
      name: 'teacher',
    };
    const ids: string[] = [];
    for (let i = 0; i < OFFSETS.length; i++)
      ids.push((await ctx.services.incidents.reportConcern(teacher, input)).id);
    // The case rows' times set below the millisecond (the list reads only incident_cases).
    await q(
      `UPDATE incident_cases c SET reported_at = '2026-03-04T10:11:12Z'::timestamptz + t.us * interval '1 microsecond'
       FROM unnest($1::uuid[], $2::int[]) AS t(id, us) WHERE c.incident_id = t.id`,
      [ids, OFFSETS],
    );
    expected = (
      await q(
        `SELECT incident_id FROM incident_cases WHERE school_id = $1
         ORDER BY reported_at DESC, incident_id DESC`,
        [fx.school.id],
      )
    ).map((r) => r.incident_id as string);
    expect(expected).toHaveLength(OFFSETS.length);
  });
  afterAll(async () => ctx?.close());

  it('finds every case exactly once, newest first, at every page size (through the URL text)', async () => {
    for (const limit of [1, 2, 3, 4, 5, 7, 13]) {
      const seen: string[] = [];
      let after;
      for (let i = 0; i <= OFFSETS.length; i++) {
        const page = await ctx.services.incidents.listCases(dsl(), {}, after, limit);
        seen.push(...page.rows.map((r) => r.incidentId));
        if (!page.next) break;
        // Microseconds in the cursor, and read back from the link exactly.
        expect(page.next.reportedAt).toMatch(/^2026-03-04T10:11:12\.\d{6}Z$/);
        after = parseCaseCursor(caseCursorParam(page.next));
        expect(after).toEqual(page.next);
      }
      expect(seen, `pages of ${limit}`).toEqual(expected);
    }
  });

  it('reads a cursor only when it names a real time', () => {
    const id = '0b9e6b55-2f1c-4d6e-9a37-5d2b0c7f1e11';
    expect(parseCaseCursor(`2026-03-04T10:11:12.000001Z_${id}`)).toEqual({
      reportedAt: '2026-03-04T10:11:12.000001Z',
      incidentId: id,
    });
    // An older link (milliseconds) still reads.
    expect(parseCaseCursor(`2026-03-04T10:11:12.123Z_${id}`)?.reportedAt).toBe(
      '2026-03-04T10:11:12.123Z',
    );
    for (const bad of [
      `2026-02-30T10:11:12.000001Z_${id}`,
      `2026-03-04T25:11:12Z_${id}`,
      `2026-03-04T10:11:12.1234567Z_${id}`,
      `2026-03-04T10:11:12.000001_${id}`,
      `2026-03-04T10:11:12Z_${id.toUpperCase()}`,
    ])
      expect(parseCaseCursor(bad), bad).toBeUndefined();
  });

  it('walks the school’s index from the cursor (the statement the list runs, EXPLAINed)', async () => {
    const pool = ctx.services.database.pool;
    const captured: { text: string; values: unknown[] }[] = [];
    const original = pool.query.bind(pool);
    // The list's own statement, as Drizzle sends it.
    pool.query = ((config: unknown, values?: unknown) => {
      if (config && typeof config === 'object' && 'text' in config)
        captured.push({ text: String(config.text), values: (values as unknown[]) ?? [] });
      return (original as (...a: unknown[]) => unknown)(config, values);
    }) as typeof pool.query;
    try {
      await ctx.services.incidents.listCases(
        dsl(),
        {},
        { reportedAt: '2026-03-04T10:11:12.001000Z', incidentId: expected[0]! },
        5,
      );
    } finally {
      pool.query = original;
    }
    const list = captured.find((c) => /from "incident_cases"/.test(c.text));
    expect(list).toBeDefined();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // A handful of rows: without this the planner rightly reads the table; with a school's
      // thousands of cases it takes the index by itself (docs/incidents.md).
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = (
        await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${list!.text}`, list!.values)
      ).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toMatch(/Index Scan using incident_cases_list_idx/);
      expect(plan).toMatch(/Index Cond: .*ROW\(reported_at, incident_id\) < ROW\(/);
      expect(plan).not.toMatch(/Sort/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
