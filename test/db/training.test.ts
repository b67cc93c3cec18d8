import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { NotFoundError, ValidationError } from '../../src/errors.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';
import { ukDate } from '../../src/platform/clock.ts';

describe('training (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;

  const as = (f: SchoolFixture, role: StaffRole): StaffPrincipal => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000);
  const session = (
    f: SchoolFixture,
    kind: 'staff_induction' | 'staff_regular' | 'parents_esafety',
    startsAt: Date,
    capacity: number | null = null,
  ) =>
    ctx.services.training.schedule(as(f, 'headteacher'), {
      kind,
      title: `${kind} session`,
      startsAt,
      place: 'Hall',
      trainer: 'DSL',
      className: null,
      capacity,
    });

  beforeAll(async () => {
    ctx = await createTestServices();
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 6 }),
      createSchool(ctx.services, { pupils: 4 }),
    ]);
  });
  afterAll(async () => ctx?.close());

  it('schedules a session, audited, and scopes it to its school', async () => {
    const s = await session(fx, 'staff_regular', inDays(3));
    expect(s).toMatchObject({ audience: 'staff', kind: 'staff_regular', capacity: null });
    await expect(ctx.services.training.getSession(other.school.id, s.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const around = await ctx.services.training.sessionsAround(other.school.id);
    expect(around.map((x) => x.id)).not.toContain(s.id);
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'training.session-scheduled' },
      1,
    );
    expect(audit.total).toBe(1);
    // A pupils' lesson needs one of the school's classes.
    await expect(
      ctx.services.training.schedule(as(fx, 'headteacher'), {
        kind: 'pupils_esafety',
        title: 'E-safety',
        startsAt: inDays(2),
        place: 'Room 1',
        trainer: 'Teacher',
        className: 'No such class',
        capacity: null,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses to mark someone inducted before they acknowledge the current policy, then accepts', async () => {
    const s = await session(fx, 'staff_induction', inDays(-1));
    const newStarter = fx.staff.support_staff.id;
    const actor = { kind: 'staff' as const, id: fx.staff.headteacher.id };
    const error = await ctx.services.training
      .recordAttendance(fx.school.id, actor, s.id, [newStarter])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors.attended).toMatch(
      /support staff Tester cannot be marked as inducted until they have acknowledged/,
    );
    const none = await ctx.platform.database.pool.query(
      'SELECT * FROM training_attendance WHERE session_id = $1',
      [s.id],
    );
    expect(none.rows).toHaveLength(0);

    await ctx.services.acknowledgements.acknowledge({
      kind: 'staff',
      id: newStarter,
      schoolId: fx.school.id,
    });
    const result = await ctx.services.training.recordAttendance(fx.school.id, actor, s.id, [
      newStarter,
    ]);
    expect(result.attended).toBe(1);
    const status = await ctx.services.training.status(fx.school.id, [newStarter]);
    expect(status.people[0]!.kinds.staff_induction!.state).toBe('done');
    expect(status.people[0]!.acknowledgedCurrent).toBe(true);
    // Someone of another school cannot be put on this register.
    await expect(
      ctx.services.training.recordAttendance(fx.school.id, actor, s.id, [other.staff.teacher.id]),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('regular training attended is done; never attended is overdue', async () => {
    const s = await session(fx, 'staff_regular', inDays(-10));
    const actor = { kind: 'staff' as const, id: fx.staff.dsl.id };
    await ctx.services.training.recordAttendance(
      fx.school.id,
      actor,
      s.id,
      [fx.staff.teacher.id, fx.staff.dsl.id],
      'room',
    );
    const report = await ctx.services.training.status(fx.school.id);
    const byId = new Map(report.people.map((p) => [p.staffId, p]));
    expect(byId.get(fx.staff.teacher.id)!.kinds.staff_regular!.state).toBe('done');
    expect(byId.get(fx.staff.teacher.id)!.kinds.staff_regular!.lastAttended).toBe(
      ukDate(inDays(-10)),
    );
    expect(byId.get(fx.staff.office.id)!.kinds.staff_regular!.state).toBe('overdue');
    expect(report.people).toHaveLength(10);
    // A correction (the teacher was ticked by mistake): their latest attendance goes with it.
    await ctx.services.training.recordAttendance(fx.school.id, actor, s.id, [fx.staff.dsl.id]);
    const corrected = await ctx.services.training.status(fx.school.id, [
      fx.staff.teacher.id,
      fx.staff.dsl.id,
    ]);
    const after = new Map(corrected.people.map((p) => [p.staffId, p]));
    expect(after.get(fx.staff.teacher.id)!.kinds.staff_regular!.state).toBe('overdue');
    expect(after.get(fx.staff.teacher.id)!.kinds.staff_regular!.lastAttended).toBeNull();
    expect(after.get(fx.staff.dsl.id)!.kinds.staff_regular!.state).toBe('done');
    await ctx.services.training.recordAttendance(fx.school.id, actor, s.id, [
      fx.staff.teacher.id,
      fx.staff.dsl.id,
    ]);
    expect(report.people.every((p) => p.staffId !== other.staff.teacher.id)).toBe(true);
  });

  it('a new policy version marks staff due again (the outbox listener), recorded with its reason', async () => {
    const result = await ctx.services.policies.updateSettings(
      fx.school.id,
      { kind: 'staff', id: fx.staff.headteacher.id },
      { answers: { 'review.reminderDaysBefore': '44' }, note: 'Changed', expectedVersion: 1 },
    );
    const marks = await ctx.platform.database.pool.query<{
      staff_id: string;
      reason: string;
      reference: string;
      kind: string;
    }>('SELECT staff_id, reason, reference, kind FROM training_due_again WHERE school_id = $1', [
      fx.school.id,
    ]);
    expect(marks.rows).toHaveLength(10);
    expect(
      marks.rows.every(
        (m) =>
          m.reason === 'policy_version' &&
          m.reference === String(result.version) &&
          m.kind === 'staff_regular',
      ),
    ).toBe(true);
    const report = await ctx.services.training.status(fx.school.id, [fx.staff.teacher.id]);
    const regular = report.people[0]!.kinds.staff_regular!;
    expect(regular.state).toBe('due_soon');
    expect(regular.dueAgain).toMatchObject({ reason: 'policy_version' });
    // Other schools are untouched.
    const others = await ctx.platform.database.pool.query(
      'SELECT 1 FROM training_due_again WHERE school_id = $1',
      [other.school.id],
    );
    expect(others.rows).toHaveLength(0);
  });

  it('a new version is judged by its own rules: turning the refresh rule off marks nobody, on again marks everyone', async () => {
    const third = await createSchool(ctx.services, { pupils: 2 });
    const marked = async () =>
      (
        await ctx.platform.database.pool.query<{ reference: string }>(
          `SELECT reference FROM training_due_again WHERE school_id = $1 AND reason = 'policy_version'`,
          [third.school.id],
        )
      ).rows.map((r) => r.reference);
    const before = await marked();
    const current = await ctx.services.policies.current(third.school.id);
    const off = await ctx.services.policies.updateSettings(
      third.school.id,
      { kind: 'staff', id: third.staff.headteacher.id },
      {
        answers: { 'training.refreshAfterIncidentOrChange': 'no' },
        note: 'No refresher for policy changes',
        expectedVersion: current.version,
      },
    );
    expect(await marked()).toEqual(before);
    const on = await ctx.services.policies.updateSettings(
      third.school.id,
      { kind: 'staff', id: third.staff.headteacher.id },
      {
        answers: { 'training.refreshAfterIncidentOrChange': 'yes' },
        note: 'Refresher after every change again',
        expectedVersion: off.version,
      },
    );
    const after = await marked();
    expect(after.filter((r) => r === String(on.version))).toHaveLength(10);
    expect(after).not.toContain(String(off.version));
  });

  it('after a significant incident the affected staff are due again (once per incident)', async () => {
    const affected = [other.staff.teacher.id, other.staff.support_staff.id];
    const n = await ctx.services.training.markDueAgain(
      other.school.id,
      { reason: 'incident', reference: 'incident-1' },
      affected,
    );
    expect(n).toBe(2);
    expect(
      await ctx.services.training.markDueAgain(
        other.school.id,
        { reason: 'incident', reference: 'incident-1' },
        affected,
      ),
    ).toBe(0);
    const report = await ctx.services.training.status(other.school.id);
    const byId = new Map(report.people.map((p) => [p.staffId, p]));
    expect(byId.get(other.staff.teacher.id)!.kinds.staff_regular!.dueAgain).toMatchObject({
      reason: 'incident',
      reference: 'incident-1',
    });
    expect(byId.get(other.staff.office.id)!.kinds.staff_regular!.dueAgain).toBeNull();
  });

  it('parents book places up to the capacity, even racing for the last ones, and cancel', async () => {
    const s = await session(fx, 'parents_esafety', inDays(20), 3);
    const parents = fx.parents.slice(0, 5);
    const results = await Promise.allSettled(
      parents.map((p) =>
        ctx.services.trainingBookings.book({ id: p.id, schoolId: fx.school.id }, s.id, 1),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    const booked = await ctx.services.trainingBookings.bookings(fx.school.id, s.id);
    expect(booked.reduce((n, b) => n + b.places, 0)).toBe(3);
    const winner = booked[0]!.parentId;
    await ctx.services.trainingBookings.cancel({ id: winner, schoolId: fx.school.id }, s.id);
    expect(await ctx.services.trainingBookings.bookings(fx.school.id, s.id)).toHaveLength(2);
    // A parent of another school cannot see or book it.
    await expect(
      ctx.services.trainingBookings.book(
        { id: other.parent.id, schoolId: other.school.id },
        s.id,
        1,
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a teacher marks their class’s termly e-safety lesson once a term, only for their classes', async () => {
    const className = fx.pupils[0]!.className!;
    await ctx.platform.database.pool.query(
      'INSERT INTO staff_classes (school_id, staff_id, class_name) VALUES ($1, $2, $3)',
      [fx.school.id, fx.staff.teacher.id, className],
    );
    const teacher = as(fx, 'teacher');
    const today = ukDate(new Date());
    const done = await ctx.services.training.markClassLesson(teacher, {
      className,
      taughtOn: today,
      topic: 'Passwords',
    });
    expect(done.term).toMatch(/term/);
    await expect(
      ctx.services.training.markClassLesson(teacher, {
        className,
        taughtOn: today,
        topic: 'Again',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    const otherClass = fx.pupils.find((p) => p.className !== className)?.className ?? 'Elsewhere';
    await expect(
      ctx.services.training.markClassLesson(teacher, {
        className: otherClass,
        taughtOn: today,
        topic: 'x',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    const report = await ctx.services.training.status(fx.school.id);
    expect(report.classes.find((c) => c.className === className)!.lesson).toMatchObject({
      topic: 'Passwords',
    });
  });

  it('reminds overdue staff and the Headteacher once', async () => {
    const since = ctx.sink.lastId();
    const first = await ctx.services.training.sendReminders(other.school.id);
    expect(first.people).toBeGreaterThan(0);
    expect(first.managers).toBe(1);
    const again = await ctx.services.training.sendReminders(other.school.id);
    expect(again).toEqual({ people: 0, managers: 0 });
    await ctx.sink.waitFor(other.staff.headteacher.email, { since });
    const mail = ctx.sink.messages.filter((m) => m.id > since);
    expect(
      mail.some((m) => m.to.includes(other.staff.office.email) && /overdue/.test(m.subject)),
    ).toBe(true);
    const summary = mail.find(
      (m) => m.to.includes(other.staff.headteacher.email) && /overdue training/.test(m.subject),
    )!;
    expect(summary.text).toContain('office Tester');
    // Nothing about another school's staff.
    expect(mail.every((m) => !m.to.some((t) => t.endsWith(`@${fx.school.slug}.test`)))).toBe(true);
  });
});
