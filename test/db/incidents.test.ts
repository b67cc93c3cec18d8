/**
 * Incidents on real PostgreSQL (issue 14): the report, its entries and its people are
 * append-only (triggers refuse UPDATE, DELETE and TRUNCATE); the case row is the fold of the
 * entries, written in the same transaction; the case lists return exactly the rows the viewer
 * may open, and one statement serves a page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import type { Principal, StaffRole } from '../../src/modules/auth/principal.ts';
import type { ReportInput } from '../../src/modules/incidents/incidents.forms.ts';

const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  whatHappened: 'Mean messages in a group chat',
  reporterConcern: 'no',
  pupils: [],
  staff: [],
  named: [],
  pupilPart: undefined,
  staffPart: undefined,
  ...over,
});

describe('incidents (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  const as = (f: SchoolFixture, role: StaffRole): Principal & { kind: 'staff' } => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  const q = async (sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows;

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 4 }),
      createSchool(ctx.services, { pupils: 2 }),
    ]);
  });
  afterAll(async () => ctx?.close());

  it('numbers reports per school and keeps them exactly as written (triggers)', async () => {
    const a = await ctx.services.incidents.reportConcern(
      as(fx, 'teacher'),
      input({ pupils: [fx.pupils[0]!.id], pupilPart: 'victim' }),
    );
    const b = await ctx.services.incidents.reportConcern(as(fx, 'teacher'), input());
    const c = await ctx.services.incidents.reportConcern(as(other, 'teacher'), input());
    expect([a.reference, b.reference, c.reference]).toEqual(['INC-0001', 'INC-0002', 'INC-0001']);
    for (const sql of [
      'UPDATE incidents SET what_happened = $2 WHERE id = $1',
      'UPDATE incident_entries SET data = $2::jsonb WHERE incident_id = $1',
      'UPDATE incident_people SET name = $2 WHERE incident_id = $1',
    ])
      await expect(q(sql, [a.id, '{}'])).rejects.toThrow(/append-only: UPDATE/);
    for (const table of ['incident_people', 'incident_entries', 'incidents'])
      await expect(
        q(`DELETE FROM ${table} WHERE ${table === 'incidents' ? 'id' : 'incident_id'} = $1`, [
          a.id,
        ]),
      ).rejects.toThrow(/append-only: DELETE/);
    for (const table of ['incidents', 'incident_entries', 'incident_people'])
      await expect(q(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/append-only: TRUNCATE/);
    const [row] = await q('SELECT what_happened FROM incidents WHERE id = $1', [a.id]);
    expect(row!.what_happened).toBe('Mean messages in a group chat');
  });

  it('rebuilds the case row from the entries in the same transaction, and a failed action leaves nothing', async () => {
    const head = as(fx, 'headteacher');
    const r = await ctx.services.incidents.reportConcern(as(fx, 'teacher'), input());
    await ctx.services.incidentCases.classify(head, r.id, {
      incidentType: 'pupil_on_pupil',
      category: 'conduct',
      risk: 'aggressive',
      safeguarding: 'no',
      reviewBy: '2026-01-05',
    });
    await ctx.services.incidentCases.assign(head, r.id, [fx.staff.support_staff.id]);
    await ctx.services.incidentCases.correct(as(fx, 'support_staff'), r.id, {
      field: 'platform',
      value: 'Snapchat',
      reason: 'The pupil said so',
    });
    let [c] = await q(
      'SELECT *, next_step_due::text AS next_step_due FROM incident_cases WHERE incident_id = $1',
      [r.id],
    );
    expect(c).toMatchObject({
      status: 'open',
      incident_type: 'pupil_on_pupil',
      category: 'conduct',
      risk: 'aggressive',
      safeguarding: false,
      next_step_due: '2026-01-05',
      entry_count: 4,
      assigned_staff_ids: [fx.staff.support_staff.id],
    });
    // Reopening an open case is refused: no entry, no audit event, the row unchanged.
    const before = (
      await q('SELECT count(*)::int AS n FROM incident_entries WHERE incident_id = $1', [r.id])
    )[0]!.n;
    await expect(ctx.services.incidentCases.reopen(head, r.id, 'why')).rejects.toThrow(
      /already open/,
    );
    expect(
      (
        await q('SELECT count(*)::int AS n FROM incident_entries WHERE incident_id = $1', [r.id])
      )[0]!.n,
    ).toBe(before);
    await ctx.services.incidentCases.close(head, r.id, 'Sorted');
    [c] = await q('SELECT status, outcome, closed_at FROM incident_cases WHERE incident_id = $1', [
      r.id,
    ]);
    expect(c).toMatchObject({ status: 'closed', outcome: 'Sorted' });
    const closed = await q(
      "SELECT data FROM incident_entries WHERE incident_id = $1 AND kind = 'closed'",
      [r.id],
    );
    expect(typeof closed[0]!.data.resolvedSeconds).toBe('number');
    // The report itself was never changed: the correction is an entry.
    expect(
      (await q('SELECT platform FROM incidents WHERE id = $1', [r.id]))[0]!.platform,
    ).toBeNull();
  });

  it('scopes the case list to what each person may open (rows checked)', async () => {
    const s = ctx.services;
    const teacher = as(fx, 'teacher');
    const support = as(fx, 'support_staff');
    const guarded = await s.incidents.reportConcern(
      as(fx, 'office'),
      input({ reporterConcern: 'yes' }),
    );
    const ordinary = await s.incidents.reportConcern(as(fx, 'office'), input());
    await s.incidentCases.assign(as(fx, 'headteacher'), ordinary.id, [support.id]);
    // Assigned to a safeguarding case is not enough: only a named deputy sees it.
    await s.incidentCases.assign(as(fx, 'dsl'), guarded.id, [support.id]).catch(() => undefined);
    const ids = async (p: Principal & { kind: 'staff' }) =>
      (await s.incidents.listCases(p, {}, undefined, 500)).rows.map((r) => r.incidentId);
    const all = (await q('SELECT id FROM incidents WHERE school_id = $1', [fx.school.id]))
      .map((r) => r.id)
      .sort();
    expect((await ids(as(fx, 'dsl'))).sort()).toEqual(all);
    expect((await ids(as(fx, 'headteacher'))).sort()).toEqual(all);
    const supportSees = await ids(support);
    expect(supportSees).toContain(ordinary.id);
    expect(supportSees).not.toContain(guarded.id);
    const rows = await q(
      'SELECT safeguarding, assigned_staff_ids FROM incident_cases WHERE incident_id = ANY($1::uuid[])',
      [supportSees],
    );
    for (const r of rows)
      expect(r).toMatchObject({
        safeguarding: false,
        assigned_staff_ids: expect.arrayContaining([support.id]),
      });
    expect(await ids(teacher)).toEqual([]);
    expect(await ids(as(other, 'dsl'))).not.toContain(guarded.id);
    await s.incidentCases.restrict(as(fx, 'dsl'), guarded.id, [teacher.id]);
    expect(await ids(teacher)).toEqual([guarded.id]);
    expect(await s.incidents.findVisible(teacher, guarded.id)).toMatchObject({
      id: guarded.id,
      access: 'work',
    });
    expect(await s.incidents.findVisible(teacher, ordinary.id)).toBeNull();
    expect(await s.incidents.findVisible(as(other, 'dsl'), guarded.id)).toBeNull();
    // The Headteacher may not name deputies (the DSL does).
    await expect(s.incidentCases.restrict(as(fx, 'headteacher'), guarded.id, [])).rejects.toThrow();
  });

  it('pages newest first with a keyset cursor and no row twice', async () => {
    const dsl = as(fx, 'dsl');
    const seen: string[] = [];
    let after;
    for (let i = 0; i < 20; i++) {
      const page = await ctx.services.incidents.listCases(dsl, {}, after, 2);
      seen.push(...page.rows.map((r) => r.incidentId));
      if (!page.next) break;
      after = page.next;
    }
    const all = await q(
      'SELECT incident_id FROM incident_cases WHERE school_id = $1 ORDER BY reported_at DESC, incident_id DESC',
      [fx.school.id],
    );
    expect(seen).toEqual(all.map((r) => r.incident_id));
  });

  it('lists the cases given to someone, and a kept first page shows a change at once', async () => {
    const s = ctx.services;
    const support = as(fx, 'support_staff');
    const teacher = as(fx, 'teacher');
    // "Given to me": assigned, or a named deputy of a safeguarding concern (the rows checked
    // against the arrays with plain SQL).
    const mine = async (p: Principal & { kind: 'staff' }) =>
      (await s.incidents.listCases(as(fx, 'dsl'), { mineStaffId: p.id }, undefined, 500)).rows
        .map((r) => r.incidentId)
        .sort();
    const truth = async (p: Principal & { kind: 'staff' }) =>
      (
        await q(
          `SELECT incident_id FROM incident_cases WHERE school_id = $1
           AND ($2::uuid = ANY(assigned_staff_ids) OR $2::uuid = ANY(deputy_staff_ids))`,
          [fx.school.id, p.id],
        )
      )
        .map((r) => r.incident_id)
        .sort();
    expect(await mine(support)).toEqual(await truth(support));
    expect(await mine(teacher)).toEqual(await truth(teacher));
    expect((await mine(teacher)).length).toBeGreaterThan(0);

    // The API's first page, kept: a new assignment shows on the worker's next request, and a
    // later page (a cursor) is read each time.
    const firstPage = () =>
      s.incidents.listCasesRendered(support, { filters: {}, limit: 50, purpose: 'test' }, (page) =>
        page.rows.map((r) => r.incidentId),
      );
    const before = await firstPage();
    expect(await firstPage()).toEqual(before);
    const fresh = await s.incidents.reportConcern(as(fx, 'office'), input());
    expect(await firstPage()).not.toContain(fresh.id);
    await s.incidentCases.assign(as(fx, 'headteacher'), fresh.id, [support.id]);
    expect(await firstPage()).toEqual([fresh.id, ...before]);
    const second = await s.incidents.listCasesRendered(
      support,
      {
        filters: {},
        after: {
          reportedAt: new Date().toISOString(),
          incidentId: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
        },
        limit: 1,
        purpose: 'test',
      },
      (page) => page.rows.map((r) => r.incidentId),
    );
    expect(second).toEqual([fresh.id]);
  });

  it('keeps a pupil’s chronology across cases, for the DSL and the Headteacher', async () => {
    const pupil = fx.pupils[1]!;
    const one = await ctx.services.incidents.reportConcern(
      as(fx, 'teacher'),
      input({ pupils: [pupil.id], pupilPart: 'victim' }),
    );
    const two = await ctx.services.incidents.reportConcern(
      as(fx, 'teacher'),
      input({ pupils: [pupil.id], pupilPart: 'alleged' }),
    );
    await ctx.services.incidentCases.addNote(as(fx, 'dsl'), two.id, 'Spoke to parents');
    const { rows } = await ctx.services.incidents.pupilChronology(as(fx, 'dsl'), pupil.id);
    expect(rows.map((r) => [r.case.incidentId, r.entry.kind])).toEqual([
      [one.id, 'report'],
      [two.id, 'report'],
      [two.id, 'note'],
    ]);
    await expect(
      ctx.services.incidents.pupilChronology(as(other, 'dsl'), pupil.id),
    ).rejects.toThrow();
  });

  it('keeps the DSL’s referral task for a staff member’s image report until the DSL records one', async () => {
    const r = await ctx.services.incidents.reportIndecentImage(as(fx, 'teacher'), {
      adultInvolved: 'yes',
      understood: 'yes',
    });
    const due = async () =>
      (await ctx.services.incidents.listCases(as(fx, 'dsl'), { referralDue: true })).rows.map(
        (x) => x.incidentId,
      );
    expect(await due()).toContain(r.id);
    await ctx.services.incidentCases.recordReferral(as(fx, 'dsl'), r.id, { to: 'police' });
    expect(await due()).not.toContain(r.id);
  });

  it('counts the home page items for the DSL and for a worker', async () => {
    const items = await ctx.services.incidents.attention(as(fx, 'dsl'));
    expect(items.map((i) => i.title).join(' | ')).toMatch(/new report/);
    expect(items.map((i) => i.title).join(' | ')).toMatch(/open case/);
    const worker = await ctx.services.incidents.attention(as(fx, 'support_staff'));
    const open = (
      await ctx.services.incidents.listCases(as(fx, 'support_staff'), { status: 'open' })
    ).rows.length;
    expect(worker.find((i) => /open case/.test(i.title))?.title).toBe(
      `${open} open case${open === 1 ? '' : 's'}`,
    );
    expect(worker.some((i) => /referral/.test(i.title))).toBe(false);
    expect(
      await ctx.services.incidents.attention({
        kind: 'parent',
        id: fx.parent.id,
        schoolId: fx.school.id,
        name: 'p',
      }),
    ).toEqual([]);
  });
});
