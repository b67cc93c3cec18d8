import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { fixedClock, ukDate } from '../../src/platform/clock.ts';
import type { StaffPrincipal } from '../../src/modules/auth/principal.ts';
import type { SchoolCompliance } from '../../src/modules/compliance/index.ts';
import { addDays } from '../../src/modules/policies/index.ts';

/**
 * The training and acknowledgement windows come from the school's profile
 * (`training.newStarterDays`, `dueSoonDays`, `dueAgainDays`, `acknowledgeWithinDays`; Lanyard's
 * default 30 days each), against real PostgreSQL: a school that sets 14 days sees a new starter
 * due 14 days after they started, in the training status and the compliance view, while a school
 * on the defaults sees 30; a profile stored before the settings existed reads the defaults.
 */
describe('training windows from the policy profile (real PostgreSQL)', () => {
  const clock = fixedClock(new Date());
  const today = ukDate(clock.now());
  const started = addDays(today, -5);
  let ctx: TestContext;
  let own: SchoolFixture;
  let usual: SchoolFixture;

  const head = (f: SchoolFixture): StaffPrincipal => ({
    kind: 'staff',
    id: f.staff.headteacher.id,
    schoolId: f.school.id,
    roles: ['headteacher'],
    name: 'Head',
  });
  const cell = (view: SchoolCompliance, name: string, column: string) =>
    view.people.find((p) => p.name === name)?.cells[column];

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    [own, usual] = await Promise.all([
      createSchool(ctx.services, { pupils: 2 }),
      createSchool(ctx.services, { pupils: 2 }),
    ]);
    const pool = ctx.services.database.pool;
    for (const f of [own, usual]) {
      // The policy has been in place for over a year; the teacher started five days ago.
      await pool.query(
        `UPDATE policy_profile_versions SET created_at = created_at - interval '400 days'
          WHERE school_id = $1`,
        [f.school.id],
      );
      await pool.query('UPDATE staff SET start_date = $1 WHERE id = $2', [
        started,
        f.staff.teacher.id,
      ]);
    }
    const current = await ctx.services.policies.current(own.school.id);
    await ctx.services.policies.saveSettings(
      own.school.id,
      { kind: 'staff', id: own.staff.headteacher.id },
      {
        values: {
          'training.newStarterDays': 14,
          'training.dueSoonDays': 7,
          'training.dueAgainDays': 10,
          'training.acknowledgeWithinDays': 14,
        },
        note: 'Our own training windows',
        expectedVersion: current.version,
        substantive: false,
      },
    );
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('a new starter is due 14 days after they started where the profile says 14, 30 by default', async () => {
    const [mine, theirs] = await Promise.all([
      ctx.services.training.status(own.school.id),
      ctx.services.training.status(usual.school.id),
    ]);
    expect(mine.windows).toEqual({ newStarterDays: 14, dueSoonDays: 7, dueAgainDays: 10 });
    expect(mine.acknowledgeWithinDays).toBe(14);
    expect(theirs.windows).toEqual({ newStarterDays: 30, dueSoonDays: 30, dueAgainDays: 30 });
    const teacher = (r: typeof mine, f: SchoolFixture) =>
      r.people.find((p) => p.staffId === f.staff.teacher.id)!;
    for (const kind of ['staff_induction', 'staff_regular'] as const) {
      expect(teacher(mine, own).kinds[kind], kind).toMatchObject({
        state: 'due_soon',
        dueOn: addDays(started, 14),
      });
      expect(teacher(theirs, usual).kinds[kind], kind).toMatchObject({
        state: 'due_soon',
        dueOn: addDays(started, 30),
      });
    }
  });

  it('the compliance view: training and the acknowledgement due 14 days after the start', async () => {
    const [mine, theirs] = await Promise.all([
      ctx.services.compliance.forSchool(head(own)),
      ctx.services.compliance.forSchool(head(usual)),
    ]);
    expect(mine.dueSoonDays).toBe(7);
    expect(theirs.dueSoonDays).toBe(30);
    for (const column of ['staff_induction', 'acknowledgement']) {
      expect(cell(mine, 'teacher Tester', column), column).toEqual({
        state: 'due_soon',
        dueOn: addDays(started, 14),
      });
      expect(cell(theirs, 'teacher Tester', column), column).toEqual({
        state: 'due_soon',
        dueOn: addDays(started, 30),
      });
    }
  });

  it('training marked due again is due the profile’s number of days after the mark', async () => {
    // Trained yesterday, so not due for a year: only the mark makes it due.
    for (const f of [own, usual]) {
      const s = await ctx.services.training.schedule(head(f), {
        kind: 'staff_regular',
        title: 'Annual safeguarding and online safety update',
        startsAt: new Date(clock.now().getTime() - 24 * 3600_000),
        place: 'Hall',
        trainer: 'DSL',
        className: null,
        capacity: null,
      });
      await ctx.services.training.recordAttendance(
        f.school.id,
        { kind: 'staff', id: f.staff.headteacher.id },
        s.id,
        [f.staff.office.id],
      );
    }
    const reason = { reason: 'incident' as const, reference: crypto.randomUUID() };
    await ctx.services.training.markDueAgain(own.school.id, reason, [own.staff.office.id]);
    await ctx.services.training.markDueAgain(usual.school.id, reason, [usual.staff.office.id]);
    const regular = async (f: SchoolFixture) =>
      (await ctx.services.training.status(f.school.id, [f.staff.office.id])).people[0]!.kinds
        .staff_regular;
    expect(await regular(own)).toMatchObject({ state: 'due_soon', dueOn: addDays(today, 10) });
    expect(await regular(usual)).toMatchObject({ state: 'due_soon', dueOn: addDays(today, 30) });
  });

  it('a profile stored before the windows existed reads Lanyard’s 30 days', async () => {
    const old = await createSchool(ctx.services, { pupils: 2 });
    const pool = ctx.services.database.pool;
    // As stored before the settings were added: the training section without them.
    await pool.query(
      `UPDATE policy_profile_versions
          SET settings = settings #- '{training,newStarterDays}' #- '{training,dueSoonDays}'
                                  #- '{training,dueAgainDays}' #- '{training,acknowledgeWithinDays}'
        WHERE school_id = $1`,
      [old.school.id],
    );
    const { rows } = await pool.query<{ settings: { training: Record<string, unknown> } }>(
      'SELECT settings FROM policy_profile_versions WHERE school_id = $1',
      [old.school.id],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(Object.keys(r.settings.training)).not.toContain('dueSoonDays');
    const read = (await ctx.services.policies.current(old.school.id)).settings.training;
    expect([
      read.newStarterDays.value,
      read.dueSoonDays.value,
      read.dueAgainDays.value,
      read.acknowledgeWithinDays.value,
    ]).toEqual([30, 30, 30, 30]);
    expect(read.dueSoonDays.citation.section).toBe('Lanyard default');
    const status = await ctx.services.training.status(old.school.id);
    expect(status.windows).toEqual({ newStarterDays: 30, dueSoonDays: 30, dueAgainDays: 30 });
    expect(status.acknowledgeWithinDays).toBe(30);
  });
});
