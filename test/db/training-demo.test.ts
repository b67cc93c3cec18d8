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
