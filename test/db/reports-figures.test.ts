import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { addDays, addMonths } from '../../src/modules/policies/index.ts';

/**
 * The governors' report's figures as they stood on a date (issue 16 item 4), from the owning
 * modules' aggregates on real PostgreSQL: staff training by the attendance recorded by then
 * (a register marked absent does not count) and the policy version current then.
 */
describe("governors' report figures on a date (real PostgreSQL)", () => {
  let ctx: TestContext;
  let fx: SchoolFixture;

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { pupils: 3, template: 'christ-church-hampstead' });
  });
  afterAll(async () => ctx?.close());

  it('counts a member of staff done on a past date and overdue today for the same attendance', async () => {
    const rules = (await ctx.services.policies.current(fx.school.id)).settings.training;
    const months = { termly: 4, annual: 12, biennial: 24 } as const;
    const kind = (Object.keys(rules.sessions) as (keyof typeof rules.sessions)[]).find((k) => {
      const v = rules.sessions[k].value;
      return k.startsWith('staff') && v.required && v.frequency !== 'on_joining';
    })!;
    expect(kind).toBeDefined();
    const frequency = rules.sessions[kind].value.frequency as keyof typeof months;
    const attendedOn = '2024-10-01';
    const teacher = fx.staff.teacher.id;
    const session = await ctx.services.database.pool.query<{ id: string }>(
      `INSERT INTO training_sessions (school_id, kind, audience, title, starts_at, place, trainer)
       VALUES ($1, $2, 'staff', 'Refresher', $3::date + time '15:30', 'Staff room', 'DSL')
       RETURNING id`,
      [fx.school.id, kind, attendedOn],
    );
    const attend = (person: string, attended: boolean) =>
      ctx.services.database.pool.query(
        `INSERT INTO training_attendance (school_id, session_id, kind, person_kind, person_id,
                                          attended, attended_on, source, recorded_at)
         VALUES ($1, $2, $3, 'staff', $4, $5, $6, 'register', now())`,
        [fx.school.id, session.rows[0]!.id, kind, person, attended, attendedOn],
      );
    await attend(teacher, true);
    // The DSL was on the register but absent: never attended.
    await attend(fx.staff.dsl.id, false);
    const staff = [
      { id: teacher, startDate: null },
      { id: fx.staff.dsl.id, startDate: null },
    ];
    const on = async (date: string) => {
      const counts = await ctx.services.trainingAggregates.staffOn(
        fx.school.id,
        staff,
        date,
        rules,
      );
      return counts.find((c) => c.kind === kind)!;
    };
    // The day before: neither had attended (overdue: never attended).
    expect(await on(addDays(attendedOn, -1))).toMatchObject({ done: 0, due_soon: 0, overdue: 2 });
    // The day after: the teacher is done; the DSL (absent) still overdue.
    expect(await on(addDays(attendedOn, 1))).toMatchObject({ done: 1, overdue: 1 });
    // A day after it fell due again: the same attendance leaves the teacher overdue.
    const dueAgain = addMonths(attendedOn, months[frequency]);
    expect(await on(addDays(dueAgain, 1))).toMatchObject({ done: 0, overdue: 2 });
  });

  it('reads the policy version current at a time, and the first version before it existed', async () => {
    const history = ctx.services.policyHistory;
    const first = (await history.at([fx.school.id], new Date('2000-01-01'))).get(fx.school.id)!;
    const current = await ctx.services.policies.current(fx.school.id);
    expect(first.version).toBe(1);
    const before = await history.at([fx.school.id], ctx.services.clock.now());
    expect(before.get(fx.school.id)!.version).toBe(current.version);
    const beforeChange = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await ctx.services.policies.updateSettings(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      {
        answers: { 'review.governorsMonitoringReport': 'no' },
        note: 'A new version for the test',
        expectedVersion: current.version,
      },
    );
    const later = await history.at([fx.school.id], new Date(Date.now() + 60_000));
    expect(later.get(fx.school.id)!.version).toBe(current.version + 1);
    expect(later.get(fx.school.id)!.settings.review.governorsMonitoringReport.value).toBe(false);
    // … while the time before the change still reads the version before.
    expect((await history.at([fx.school.id], beforeChange)).get(fx.school.id)!.version).toBe(
      current.version,
    );
  });
});
