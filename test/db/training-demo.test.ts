import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { seedDemoSchool } from '../../src/demo/seed.ts';

describe('the demo school’s training (real PostgreSQL)', () => {
  let ctx: TestContext;
  let schoolId: string;

  beforeAll(async () => {
    ctx = await createTestServices();
    await seedDemoSchool(ctx.services);
    schoolId = (await ctx.services.peopleDirectory.getSchoolBySlug(
      ctx.services.database.db,
      'oakfield-primary',
    ))!.id;
  });
  afterAll(async () => ctx?.close());

  it('has a year of sessions, some overdue staff, bookings, a class lesson and most staff acknowledged', async () => {
    const training = ctx.services.training;
    const sessions = await training.sessionsAround(schoolId);
    expect(sessions.length).toBeGreaterThanOrEqual(6);
    const report = await training.status(schoolId);
    const overdue = report.people.filter((p) =>
      report.kinds.some((k) => p.kinds[k]?.state === 'overdue'),
    );
    expect(overdue.length).toBeGreaterThanOrEqual(3);
    expect(overdue.length).toBeLessThan(report.people.length);
    // The policy lifecycle demo (src/demo/policy-lifecycle-seed.ts) then publishes a substantive
    // new version: acknowledgements are in progress, the Headteacher, DSL and teacher done.
    expect(report.people.filter((p) => p.acknowledgedCurrent)).toHaveLength(3);
    const parents = sessions.filter((s) => s.audience === 'parents' && s.startsAt > new Date());
    expect(parents).toHaveLength(1);
    expect(
      (await ctx.services.trainingBookings.bookings(schoolId, parents[0]!.id)).length,
    ).toBeGreaterThan(5);
    expect(await training.upcoming(schoolId, 7)).toHaveLength(1);
    // The demo parent has not booked: the home page asks them to.
    const parent = (
      await ctx.services.peopleDirectory.findParentsByEmail(
        ctx.services.database.db,
        'parent@oakfield.example',
      )
    )[0]!;
    const items = await ctx.services.attention({
      kind: 'parent',
      id: parent.id,
      schoolId,
      name: 'Parent',
    });
    expect(items.map((i) => i.title)).toContain('Book a place at the e-safety meeting');
  });

  it('dates the policy believably: version 1 before its acknowledgements, they before the induction; none due before the version asked for', async () => {
    const { rows } = await ctx.services.database.pool.query<{
      published: Date;
      first_ack: Date;
      last_ack: Date;
      induction: Date;
    }>(
      `SELECT v.created_at AS published,
              (SELECT min(acknowledged_at) FROM policy_acknowledgements a
                WHERE a.school_id = v.school_id AND a.policy_version = 1) AS first_ack,
              (SELECT max(acknowledged_at) FROM policy_acknowledgements a
                WHERE a.school_id = v.school_id AND a.policy_version = 1) AS last_ack,
              (SELECT min(starts_at) FROM training_sessions t
                WHERE t.school_id = v.school_id AND t.kind = 'staff_induction') AS induction
         FROM policy_profile_versions v WHERE v.school_id = $1 AND v.version = 1`,
      [schoolId],
    );
    const r = rows[0]!;
    expect(r.published.getTime()).toBeLessThan(r.first_ack.getTime());
    expect(r.last_ack.getTime()).toBeLessThan(r.induction.getTime());
    // The compliance view: everyone still to acknowledge the new version (published today) is
    // due soon, a month from now; no due date years back (they started years ago).
    const head = (
      await ctx.services.peopleDirectory.staffRoster(ctx.services.database.db, schoolId)
    ).find((s) => s.roles.includes('headteacher'))!;
    const view = await ctx.services.compliance.forSchool({
      kind: 'staff',
      id: head.id,
      schoolId,
      roles: ['headteacher'],
      name: 'Head',
    });
    const cells = view.people.map((p) => p.cells.acknowledgement!);
    expect(cells.filter((c) => c.state === 'done')).toHaveLength(3);
    const waiting = cells.filter((c) => c.state !== 'done');
    expect(waiting.length).toBeGreaterThan(0);
    for (const c of waiting) {
      expect(c.state).toBe('due_soon');
      expect(c.dueOn! > view.today).toBe(true);
    }
    // No due date anywhere in the view more than a year back; the volunteer who joined this term
    // is due soon for induction, the chair of governors elected in the autumn overdue for it.
    const yearAgo = new Date(Date.parse(view.today) - 365 * 86_400_000).toISOString().slice(0, 10);
    for (const p of view.people)
      for (const c of Object.values(p.cells))
        if (c.dueOn) expect(c.dueOn >= yearAgo, `${p.name} ${c.dueOn}`).toBe(true);
    const induction = (name: string) =>
      view.people.find((p) => p.name === name)?.cells.staff_induction?.state;
    expect(induction('Vera Quinn')).toBe('due_soon');
    expect(induction('Gordon Hale')).toBe('overdue');
  });

  it('gives the staff believable line managers; the reminder job writes to them', async () => {
    const links = await ctx.services.peopleDirectory.lineManagerLinks(
      ctx.services.database.db,
      schoolId,
    );
    const name = new Map(links.map((l) => [l.id, `${l.givenName} ${l.familyName}`]));
    const managerOf = Object.fromEntries(
      links.map((l) => [
        `${l.givenName} ${l.familyName}`,
        l.lineManagerId ? name.get(l.lineManagerId) : null,
      ]),
    );
    expect(managerOf).toMatchObject({
      'Helen Carter': null,
      'Daniel Okoro': 'Helen Carter',
      'Olivia Reed': 'Brian Moss',
      'Tara Lowe': 'Daniel Okoro',
      'Sam Fenwick': 'Tara Lowe',
      'Gordon Hale': null,
    });
    const since = ctx.sink.lastId();
    const sent = await ctx.services.training.sendReminders(schoolId);
    expect(sent.managers).toBeGreaterThan(0);
    const summaries = ctx.sink.messages.filter(
      (m) => m.id > since && /overdue training/.test(m.subject),
    );
    // One email per person told, never two.
    const to = summaries.flatMap((m) => m.to);
    expect(new Set(to).size).toBe(to.length);
  });
});
