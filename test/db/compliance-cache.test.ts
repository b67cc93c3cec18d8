import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import {
  createPlatform,
  createServices,
  type Platform,
  type Services,
} from '../../src/container.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { StaffPrincipal } from '../../src/modules/auth/principal.ts';
import type { SchoolCompliance } from '../../src/modules/compliance/index.ts';
import { buildCompliance, schoolFigures } from '../../src/modules/compliance/compliance-view.ts';
import { acknowledgementRequiredSince } from '../../src/modules/compliance/compliance.module.ts';
import { addDays } from '../../src/modules/policies/index.ts';
import { createOrganisationAdmin } from '../support/http-principals.ts';

/**
 * The compliance view's kept data (docs/training.md, "Compliance"; issue 17's benchmark): a
 * school's view is read once and kept against the school's cache version, and any change that
 * alters it, made through the services in this process or another one on the same database, or
 * in plain SQL, shows on the next request. Two sets of services on one database stand for two
 * processes (each keeps its own memory).
 */
describe('compliance view: kept per school, fresh after every change', () => {
  const clock = fixedClock(new Date());
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: { platform: Platform; services: Services };
  let head: StaffPrincipal;

  /** The cell of a person (by name) and column in the view. */
  const cell = (view: SchoolCompliance, name: string, column: string) =>
    view.people.find((p) => p.name === name)?.cells[column]?.state;
  const dueOn = (view: SchoolCompliance, name: string, column: string) =>
    view.people.find((p) => p.name === name)?.cells[column]?.dueOn;
  const view = (services: Services = ctx.services) => services.compliance.forSchool(head);

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    fx = await createSchool(ctx.services, { pupils: 2 });
    // The school's policy has been in place for over a year (its staff long overdue to read it).
    await ctx.services.database.pool.query(
      `UPDATE policy_profile_versions SET created_at = created_at - interval '400 days'
        WHERE school_id = $1`,
      [fx.school.id],
    );
    head = {
      kind: 'staff',
      id: fx.staff.headteacher.id,
      schoolId: fx.school.id,
      roles: ['headteacher'],
      name: 'Head',
    };
    const platform = await createPlatform(ctx.config, {
      supervise: false,
      mailSink: ctx.sink,
      clock,
    });
    other = { platform, services: createServices(platform) };
  });
  afterAll(async () => {
    await other?.platform.close();
    await ctx?.close();
  });

  it('answers a repeated view from memory: the same view, one version statement', async () => {
    const first = await view();
    const versions = ctx.services.database.versions.stats.reads;
    const again = await view();
    expect(again).toBe(first);
    expect(ctx.services.database.versions.stats.reads).toBe(versions + 1);
    // A filtered view is built once too, and differs from the unfiltered one.
    const teachers = await ctx.services.compliance.forSchool(head, { role: 'teacher' });
    expect(await ctx.services.compliance.forSchool(head, { role: 'teacher' })).toBe(teachers);
    expect(teachers.people.map((p) => p.name)).toEqual(['teacher Tester']);
  });

  it('attendance recorded in another process shows on the next request here', async () => {
    expect(cell(await view(), 'dsl Tester', 'staff_regular')).toBe('overdue');
    expect(cell(await view(other.services), 'dsl Tester', 'staff_regular')).toBe('overdue');
    const session = await other.services.training.schedule(head, {
      kind: 'staff_regular',
      title: 'Regular training',
      startsAt: new Date(clock.now().getTime() - 86_400_000),
      place: 'Hall',
      trainer: 'The DSL',
      className: null,
      capacity: null,
    });
    await other.services.training.recordAttendance(
      fx.school.id,
      { kind: 'staff', id: head.id },
      session.id,
      [fx.staff.dsl.id],
    );
    expect(cell(await view(), 'dsl Tester', 'staff_regular')).toBe('done');
    expect(cell(await view(other.services), 'dsl Tester', 'staff_regular')).toBe('done');
  });

  it('training marked due again after an incident shows at once', async () => {
    const before = await view();
    expect(cell(before, 'dsl Tester', 'staff_regular')).toBe('done');
    const marked = await other.services.training.markDueAgain(
      fx.school.id,
      { reason: 'incident', reference: 'compliance-cache-test' },
      [fx.staff.dsl.id],
    );
    expect(marked).toBe(1);
    const after = await view();
    expect(after).not.toBe(before);
    expect(cell(after, 'dsl Tester', 'staff_regular')).toBe('due_soon');
  });

  it('an acknowledgement, and a new policy version that asks everyone again, show at once', async () => {
    expect(cell(await view(), 'office Tester', 'acknowledgement')).toBe('overdue');
    await other.services.acknowledgements.acknowledge({
      kind: 'staff',
      id: fx.staff.office.id,
      schoolId: fx.school.id,
    });
    const acknowledged = await view();
    expect(cell(acknowledged, 'office Tester', 'acknowledgement')).toBe('done');
    const version = acknowledged.policyVersion;
    await other.services.policies.updateSettings(
      fx.school.id,
      { kind: 'staff', id: head.id },
      {
        answers: { 'review.reminderDaysBefore': '21' },
        note: 'Reminders three weeks ahead',
        expectedVersion: version,
      },
    );
    const published = await view();
    expect(published.policyVersion).toBe(version + 1);
    // Asked again, due the profile's `training.acknowledgeWithinDays` (30 by default) after the
    // new version's publication (today), not overdue from their start years ago.
    expect(cell(published, 'office Tester', 'acknowledgement')).toBe('due_soon');
    expect(dueOn(published, 'office Tester', 'acknowledgement')).toBe(addDays(published.today, 30));
  });

  it('people and roles changed in plain SQL show at once (the staff triggers)', async () => {
    const pool = ctx.services.database.pool;
    await view();
    await pool.query('UPDATE staff SET given_name = $1 WHERE id = $2', [
      'Renamed',
      fx.staff.volunteer.id,
    ]);
    expect((await view()).people.some((p) => p.name === 'Renamed Tester')).toBe(true);
    await pool.query('UPDATE staff SET email = $1 WHERE id = $2', [
      'new-address@example.test',
      fx.staff.volunteer.id,
    ]);
    expect((await view()).people.find((p) => p.name === 'Renamed Tester')?.email).toBe(
      'new-address@example.test',
    );
    // A new starter with no role yet (migration 0056: a staff insert bumps the version).
    await pool.query(
      `INSERT INTO staff (school_id, email, given_name, family_name, start_date)
       VALUES ($1, 'starter@example.test', 'New', 'Starter', $2)`,
      [fx.school.id, clock.now().toISOString().slice(0, 10)],
    );
    const withStarter = await view();
    expect(cell(withStarter, 'New Starter', 'acknowledgement')).toBe('due_soon');
    await pool.query(
      `INSERT INTO staff_roles (school_id, staff_id, role)
       SELECT school_id, id, 'teacher' FROM staff WHERE email = 'starter@example.test'`,
    );
    const teachers = await ctx.services.compliance.forSchool(head, { role: 'teacher' });
    expect(teachers.people.map((p) => p.name).sort()).toEqual(['New Starter', 'teacher Tester']);
    // The start date moved on ten days (after the version's publication today): due ten days later.
    const before = dueOn(await view(), 'New Starter', 'acknowledgement')!;
    await pool.query(
      `UPDATE staff SET start_date = start_date + 10 WHERE email = 'starter@example.test'`,
    );
    expect(dueOn(await view(), 'New Starter', 'acknowledgement')).toBe(addDays(before, 10));
  });

  it('follows the calendar: the next day is worked out afresh', async () => {
    const today = await view();
    expect(await view()).toBe(today);
    clock.set(new Date(clock.now().getTime() + 86_400_000));
    const tomorrow = await view();
    expect(tomorrow).not.toBe(today);
    expect(tomorrow.today > today.today).toBe(true);
  });

  it('keeps the Headteacher’s home page figure in step', async () => {
    const n = await ctx.services.compliance.overduePeople(fx.school.id);
    await ctx.services.database.pool.query('UPDATE staff SET active = false WHERE id = $1', [
      fx.staff.ict_technician.id,
    ]);
    expect(await ctx.services.compliance.overduePeople(fx.school.id)).toBe(n - 1);
  });

  it('the trust’s batched figures equal each school’s own, minor and substantive versions alike; a change works out that school alone', async () => {
    const second = await createSchool(ctx.services, { pupils: 2 });
    const third = await createSchool(ctx.services, { pupils: 2 });
    const trust = await createOrganisationAdmin(ctx, [
      fx.school.id,
      second.school.id,
      third.school.id,
    ]);
    const actor = (f: SchoolFixture) => ({ kind: 'staff' as const, id: f.staff.headteacher.id });
    // The second school: two acknowledge, then a minor version (nobody is asked again). The
    // third: one acknowledges, then a substantive version (everyone is).
    for (const f of [second, second, third]) {
      const who = f === third ? f.staff.dsl.id : f.staff.office.id;
      await ctx.services.acknowledgements.acknowledge({
        kind: 'staff',
        id: who,
        schoolId: f.school.id,
      });
    }
    await ctx.services.acknowledgements.acknowledge({
      kind: 'staff',
      id: second.staff.teacher.id,
      schoolId: second.school.id,
    });
    for (const [f, substantive] of [
      [second, false],
      [third, true],
    ] as const) {
      const current = await ctx.services.policies.current(f.school.id);
      await ctx.services.policies.saveSettings(f.school.id, actor(f), {
        values: { 'review.reminderDaysBefore': 14 },
        note: 'Reminders two weeks ahead',
        expectedVersion: current.version,
        substantive,
      });
    }
    const compliance = ctx.services.compliance;
    const name = (f: SchoolFixture) => `${f.school.slug} School`;
    /** Each school on its own, through the per-school reads (`TrainingService.status`) and its view. */
    const own = async (f: SchoolFixture) => {
      const [status, since] = await Promise.all([
        ctx.services.training.status(f.school.id),
        acknowledgementRequiredSince(ctx.services)([f.school.id]),
      ]);
      const input = { ...status, requiredSince: since.get(f.school.id) ?? null };
      const view = buildCompliance(input, {});
      const figures = {
        name: name(f),
        staff: status.people.length,
        overduePeople: view.overduePeople,
        counts: view.totals.counts,
      };
      expect(schoolFigures(name(f), input)).toEqual(figures);
      return figures;
    };
    const trustOf = async () => {
      const read = { ...compliance.stats };
      const figures = await compliance.computeTrust(trust.organisationId);
      expect(figures.schools).toHaveLength(3);
      for (const f of [fx, second, third])
        expect(figures.schools.find((s) => s.name === name(f))).toEqual(await own(f));
      return {
        figures,
        reads: compliance.stats.reads - read.reads,
        schoolsRead: compliance.stats.schoolsRead - read.schoolsRead,
        of: (f: SchoolFixture) => figures.schools.find((s) => s.name === name(f))!,
      };
    };
    const first = await trustOf();
    // The two schools changed since the first school's view was kept are read together.
    expect(first.reads).toBe(1);
    expect(first.schoolsRead).toBeGreaterThanOrEqual(2);
    expect(first.of(second).counts.acknowledgement!.done).toBe(2);
    expect(first.of(third).counts.acknowledgement!.done).toBe(0);

    // Nothing changed: every school's kept data and figures are reused, none worked out again.
    const again = await trustOf();
    expect(again).toMatchObject({ reads: 0, schoolsRead: 0 });
    for (const f of [fx, second, third]) expect(again.of(f).counts).toBe(first.of(f).counts);
    // The school's own view reuses what the trust's figures read (and the other way round).
    const secondHead: StaffPrincipal = {
      ...head,
      id: second.staff.headteacher.id,
      schoolId: second.school.id,
    };
    const read0 = compliance.stats.schoolsRead;
    const secondView = await compliance.forSchool(secondHead);
    expect(compliance.stats.schoolsRead).toBe(read0);

    // One school changes (in another process): only that school is worked out again.
    await other.services.acknowledgements.acknowledge({
      kind: 'staff',
      id: second.staff.headteacher.id,
      schoolId: second.school.id,
    });
    const changed = await trustOf();
    expect(changed).toMatchObject({ reads: 1, schoolsRead: 1 });
    expect(changed.of(second).counts.acknowledgement!.done).toBe(3);
    expect(changed.of(fx).counts).toBe(first.of(fx).counts);
    expect(changed.of(third).counts).toBe(first.of(third).counts);
    // … and the school's own view shows it, from what the trust's figures read.
    const read1 = compliance.stats.schoolsRead;
    const secondAfter = await compliance.forSchool(secondHead);
    expect(secondAfter).not.toBe(secondView);
    expect(cell(secondAfter, 'headteacher Tester', 'acknowledgement')).toBe('done');
    expect(compliance.stats.schoolsRead).toBe(read1);

    // The trust's page keeps its figures (`forTrust`): the same object while nothing changed,
    // new ones after a change in one school (made in another process), the next day, or a
    // school joining the trust (migration 0061). Every answer equals working them out afresh.
    const admin = { kind: 'org_admin' as const, ...trust };
    const kept = async () => {
      const figures = await compliance.forTrust(admin);
      expect(figures.schools).toEqual(
        (await compliance.computeTrust(trust.organisationId)).schools,
      );
      return figures;
    };
    const k1 = await kept();
    expect(await kept()).toBe(k1);
    await other.services.training.markDueAgain(
      third.school.id,
      { reason: 'incident', reference: 'trust-kept' },
      [third.staff.teacher.id],
    );
    const k2 = await kept();
    expect(k2).not.toBe(k1);
    expect(await kept()).toBe(k2);
    clock.set(new Date(clock.now().getTime() + 86_400_000));
    const k3 = await kept();
    expect(k3).not.toBe(k2);
    const fourth = await createSchool(ctx.services, { pupils: 2 });
    await ctx.services.database.pool.query(
      'UPDATE schools SET organisation_id = $1 WHERE id = $2',
      [trust.organisationId, fourth.school.id],
    );
    const k4 = await kept();
    expect(k4.schools.map((s) => s.name)).toContain(name(fourth));
  });
});
