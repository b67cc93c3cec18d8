import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';

/**
 * The overdue-training reminder job with line managers (issue 17 item 4), against real
 * PostgreSQL and the real SMTP sink: each overdue person is emailed, each line manager gets ONE
 * email listing their overdue reports, and staff without a line manager go to the holders of the
 * role the profile names (`training.overdueReminderRole`, changed here to the DPO), never to
 * themselves. Safe to run twice.
 */
describe('training reminders to line managers (real PostgreSQL, SMTP sink)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;

  const head = (f: SchoolFixture): StaffPrincipal => ({
    kind: 'staff',
    id: f.staff.headteacher.id,
    schoolId: f.school.id,
    roles: ['headteacher'],
    name: 'Head',
  });
  const manage = (report: StaffRole, manager: StaffRole) =>
    ctx.services.people.updateStaff(head(fx), fx.staff[report].id, {
      lineManagerId: fx.staff[manager].id,
    });

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { slug: 'remind-lm', pupils: 2 }),
      createSchool(ctx.services, { slug: 'remind-other', pupils: 2 }),
    ]);
    await manage('teacher', 'dsl');
    await manage('support_staff', 'dsl');
    await manage('office', 'business_manager');
    const current = await ctx.services.policies.current(fx.school.id);
    await ctx.services.policies.saveSettings(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      {
        values: { 'training.overdueReminderRole': 'dpo' },
        note: 'Overdue training without a line manager goes to the DPO',
        expectedVersion: current.version,
        substantive: false,
      },
    );
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('emails each overdue person, each line manager once, and the profile’s role for the rest', async () => {
    const report = await ctx.services.training.status(fx.school.id);
    const overdueIds = new Set(
      report.people
        .filter((p) => Object.values(p.kinds).some((k) => k?.state === 'overdue'))
        .map((p) => p.staffId),
    );
    const overdue = (role: StaffRole) => overdueIds.has(fx.staff[role].id);
    // A new school's staff have had no training: everyone this test relies on is overdue.
    for (const role of ['teacher', 'support_staff', 'office', 'headteacher', 'dpo'] as const)
      expect(overdue(role), role).toBe(true);

    const since = ctx.sink.lastId();
    const first = await ctx.services.training.sendReminders(fx.school.id);
    await ctx.sink.waitFor(fx.staff.dpo.email, { since });
    const mail = ctx.sink.messages.filter((m) => m.id > since);
    const summariesTo = (role: StaffRole) =>
      mail.filter((m) => m.to.includes(fx.staff[role].email) && /overdue training/.test(m.subject));

    // The DSL line-manages the teacher and support staff: one email naming both, nobody else.
    const dsl = summariesTo('dsl');
    expect(dsl).toHaveLength(1);
    expect(dsl[0]!.text).toContain('People you line-manage are overdue for training:');
    expect(dsl[0]!.text).toContain('teacher Tester');
    expect(dsl[0]!.text).toContain('support staff Tester');
    expect(dsl[0]!.text).not.toContain('office Tester');
    expect(dsl[0]!.text).not.toContain('no line manager recorded');
    // The Business Manager gets the office's.
    const bm = summariesTo('business_manager');
    expect(bm).toHaveLength(1);
    expect(bm[0]!.text).toContain('office Tester');
    expect(bm[0]!.text).not.toContain('teacher Tester');

    // Everyone else has no line manager: the DPO (the profile's role) is told, not about
    // themselves, and the Headteacher is no longer the stand-in.
    const dpo = summariesTo('dpo');
    expect(dpo).toHaveLength(1);
    expect(dpo[0]!.text).toContain('no line manager recorded');
    expect(dpo[0]!.text).toContain('Data Protection Officer');
    expect(dpo[0]!.text).toContain('headteacher Tester');
    expect(dpo[0]!.text).not.toContain('dpo Tester');
    expect(dpo[0]!.text).not.toMatch(/^- teacher Tester:/m);
    expect(summariesTo('headteacher')).toEqual([]);

    // Each overdue person has their own email.
    for (const role of ['teacher', 'office', 'headteacher'] as const)
      expect(
        mail.some(
          (m) => m.to.includes(fx.staff[role].email) && /^Your .* is overdue$/.test(m.subject),
        ),
        role,
      ).toBe(true);
    expect(first.managers).toBe(3);
    // Nothing about or to another school's staff.
    expect(mail.every((m) => m.to.every((t) => t.endsWith('@remind-lm.test')))).toBe(true);

    // Safe to run twice: nothing more today.
    expect(await ctx.services.training.sendReminders(fx.school.id)).toEqual({
      people: 0,
      managers: 0,
    });
  });

  it('falls back to the Headteacher (the default) where the profile is unchanged', async () => {
    const since = ctx.sink.lastId();
    const sent = await ctx.services.training.sendReminders(other.school.id);
    expect(sent.managers).toBe(1);
    const summary = await ctx.sink.waitFor(other.staff.headteacher.email, { since });
    const all = ctx.sink.messages.filter(
      (m) => m.id > since && m.to.includes(other.staff.headteacher.email),
    );
    const s = all.find((m) => /overdue training/.test(m.subject)) ?? summary;
    expect(s.text).toContain('the school’s policy asks the Headteacher to be told');
    expect(s.text).toContain('office Tester');
    expect(s.text).not.toContain('headteacher Tester');
  });
});
