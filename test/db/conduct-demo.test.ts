import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { seedDemoSchool } from '../../src/demo/seed.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';

/**
 * The demo's conduct records (src/demo/conduct-seed.ts) as the people who sign in see them (issue
 * 17 item 8): the Headteacher has a declaration to read and a network request the ICT Technician
 * has signed off to decide; the ICT Technician a logo request to sign off (Oakfield's own rule)
 * and a filtering check due; and the demo teacher holds a reminder permission.
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

  it('gives the Headteacher one of two declarations to read and the signed-off network request to decide', async () => {
    const head = as('headteacher');
    const { rows } = await ctx.services.conductDeclarations.listForReview(head);
    expect(rows.map((r) => [r.kind, r.status]).sort()).toEqual([
      ['friend_request', 'reviewed'],
      ['social_contact', 'awaiting_review'],
    ]);
    const waiting = await ctx.services.conductPermissions.waitingFor(head);
    expect(waiting.decide.map((p) => [p.type, p.status])).toEqual([
      ['school_network_social_media', 'awaiting_decision'],
    ]);
    const titles = (await ctx.services.attention(head)).map((a) => a.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Declarations to read',
        'Permission requests to decide',
        'Filtering check due',
      ]),
    );
  });

  it('asks the ICT Technician to sign off logo requests: Oakfield’s own rule, a minor version before the review’s', async () => {
    const current = await ctx.services.policies.current(as('headteacher').schoolId);
    const logo = current.settings.conduct.permissionTypes.logo_use;
    expect(logo.value).toMatchObject({ grantedBy: 'headteacher', ictSignOff: true });
    expect(logo.citation).toMatchObject({ seed: null, section: 'School decision' });
    const versions = await ctx.services.policies.versions(current.profile.schoolId);
    const rule = versions.find((v) => v.changeNote.startsWith('Requests to use the school’s name'));
    expect(rule).toBeDefined();
    expect(rule!.version).toBeLessThan(current.version);
  });

  it('gives the ICT Technician the logo request to sign off and the filtering check due', async () => {
    const ict = as('ict_technician');
    const waiting = await ctx.services.conductPermissions.waitingFor(ict);
    expect(waiting.signOff.map((p) => [p.type, p.status])).toEqual([
      ['logo_use', 'awaiting_sign_off'],
    ]);
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
