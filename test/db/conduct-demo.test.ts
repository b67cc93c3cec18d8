import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { seedDemoSchool } from '../../src/demo/seed.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';

/**
 * The demo's conduct records (src/demo/conduct-seed.ts) as the people who sign in see them: the
 * Headteacher has a declaration to read and a logo request to decide, the ICT Technician a network
 * request to sign off and a filtering check due, and the demo teacher holds a reminder permission.
 */
describe('demo conduct records (real PostgreSQL)', () => {
  let ctx: TestContext;
  let as: (role: StaffRole) => StaffPrincipal;

  beforeAll(async () => {
    ctx = await createTestServices({ clock: fixedClock('2026-12-06T18:28:00Z') });
    expect(await seedDemoSchool(ctx.services)).toBe(true);
    const db = ctx.services.database.db;
    const school = (await ctx.services.peopleDirectory.getSchoolBySlug(db, 'oakfield-primary'))!;
    const roster = await ctx.services.peopleDirectory.staffRoster(db, school.id);
    as = (role) => ({
      kind: 'staff',
      id: roster.find((s) => s.roles.includes(role))!.id,
      schoolId: school.id,
      roles: [role],
      name: role,
    });
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('gives the Headteacher one of two declarations to read and the logo request to decide', async () => {
    const head = as('headteacher');
    const { rows } = await ctx.services.conductDeclarations.listForReview(head);
    expect(rows.map((r) => [r.kind, r.status]).sort()).toEqual([
      ['friend_request', 'reviewed'],
      ['social_contact', 'awaiting_review'],
    ]);
    const waiting = await ctx.services.conductPermissions.waitingFor(head);
    expect(waiting.decide.map((p) => p.type)).toEqual(['logo_use']);
    const titles = (await ctx.services.attention(head)).map((a) => a.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Declarations to read',
        'Permission requests to decide',
        'Filtering check due',
      ]),
    );
  });

  it('gives the ICT Technician the network request and the filtering check due', async () => {
    const ict = as('ict_technician');
    const waiting = await ctx.services.conductPermissions.waitingFor(ict);
    expect(waiting.signOff.map((p) => p.type)).toEqual(['school_network_social_media']);
    const schedule = await ctx.services.conductFiltering.schedule(ict.schoolId);
    expect(schedule).toMatchObject({ checkOverdue: true, reviewOverdue: false });
    const titles = (await ctx.services.attention(ict)).map((a) => a.title);
    expect(titles).toEqual(
      expect.arrayContaining(['Permission requests to sign off', 'Filtering check due']),
    );
  });

  it('lets the demo teacher post reminders for parents', async () => {
    const teacher = as('teacher');
    expect(
      await ctx.services.conductPermissions.holds(teacher.schoolId, teacher.id, 'reminder_post'),
    ).toBe(true);
  });
});
