import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { seedDemoSchool } from '../../src/demo/seed.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';
import { pdfText } from '../support/pdf-text.ts';

/**
 * Oakfield's term of incidents (issue 14 item 11, src/demo/incidents-seed.ts), as the demo
 * leaves it: made through the services, so the chronologies, case rows, letters and audit
 * chain are the app's own.
 */
describe('demo incidents (real PostgreSQL)', () => {
  let ctx: TestContext;
  const clock = fixedClock('2026-12-06T18:28:00Z');
  let schoolId: string;

  const rows = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) =>
    (await ctx.services.database.db.execute<T>(q)).rows;
  const staff = async (role: StaffRole): Promise<StaffPrincipal> => {
    const [row] = await rows<{ id: string }>(sql`
      SELECT s.id FROM staff s JOIN staff_roles r ON r.staff_id = s.id
      WHERE s.school_id = ${schoolId} AND r.role = ${role} LIMIT 1`);
    return { kind: 'staff', id: row!.id, schoolId, roles: [role], name: role };
  };

  beforeAll(async () => {
    ctx = await createTestServices({ clock });
    expect(await seedDemoSchool(ctx.services)).toBe(true);
    const [school] = await rows<{ id: string }>(
      sql`SELECT id FROM schools WHERE slug = 'oakfield-primary'`,
    );
    schoolId = school!.id;
  }, 300_000);
  afterAll(async () => ctx?.close());

  it('spreads seven incidents over the autumn term, of several types and states', async () => {
    const cases = await rows<{
      reference: string;
      reported_at: Date;
      reporter_kind: string;
      status: string;
      incident_type: string | null;
      outcome: string | null;
      indecent_image: boolean;
    }>(sql`
      SELECT reference, reported_at, reporter_kind, status, incident_type, outcome, indecent_image
      FROM incident_cases WHERE school_id = ${schoolId} ORDER BY reference`);
    expect(cases.map((c) => c.reference)).toEqual([
      'INC-0001',
      'INC-0002',
      'INC-0003',
      'INC-0004',
      'INC-0005',
      'INC-0006',
      'INC-0007',
    ]);
    const times = cases.map((c) => new Date(c.reported_at).getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Date(cases[0]!.reported_at).toISOString()).toBe('2026-09-21T18:40:00.000Z');
    expect(times.every((t) => t < clock.now().getTime())).toBe(true);
    expect(cases.map((c) => c.incident_type)).toEqual([
      'parent_defamation',
      'staff_cyberbullying',
      'pupil_on_pupil',
      'inappropriate_content',
      'friend_request',
      null,
      null,
    ]);
    expect(cases.filter((c) => c.status === 'closed').map((c) => c.reference)).toEqual([
      'INC-0001',
      'INC-0003',
    ]);
    expect(cases.find((c) => c.reference === 'INC-0003')!.outcome).toMatch(/anti-bullying policy/);
    expect(cases.at(-1)!.reporter_kind).toBe('parent');
  });

  it('has exactly one indecent-image referral, with no file and no description', async () => {
    const [image] = await rows<{ id: string; what_happened: string | null; url: string | null }>(
      sql`SELECT id, what_happened, url FROM incidents WHERE school_id = ${schoolId} AND indecent_image`,
    );
    expect(image).toMatchObject({ what_happened: null, url: null });
    expect(
      await rows(sql`SELECT 1 FROM incident_evidence WHERE incident_id = ${image!.id}`),
    ).toHaveLength(0);
    const kinds = await rows<{ kind: string }>(
      sql`SELECT kind FROM incident_entries WHERE incident_id = ${image!.id} ORDER BY seq`,
    );
    // All written in the one transaction of the report; a safeguarding concern is significant.
    expect(kinds.map((k) => k.kind)).toEqual(['report', 'significant', 'referral']);
    // A teacher who did not report it cannot open it.
    expect(await ctx.services.incidents.findVisible(await staff('office'), image!.id)).toBeNull();
  });

  it('leaves open cases with steps overdue for the DSL', async () => {
    const overdue = await rows<{ reference: string }>(sql`
      SELECT reference FROM incident_cases
      WHERE school_id = ${schoolId} AND status = 'open' AND next_step_due < ${'2026-12-06'}
      ORDER BY reference`);
    expect(overdue.map((o) => o.reference)).toEqual(['INC-0002', 'INC-0004', 'INC-0005']);
  });

  it('worked the defamatory post up the ladder to a warning letter, kept with the case', async () => {
    const [post] = await rows<{ incident_id: string }>(
      sql`SELECT incident_id FROM incident_cases WHERE school_id = ${schoolId} AND reference = 'INC-0001'`,
    );
    const entries = await rows<{ kind: string; data: Record<string, unknown> }>(
      sql`SELECT kind, data FROM incident_entries WHERE incident_id = ${post!.incident_id} ORDER BY at, id`,
    );
    expect(
      entries.map((e) => (e.kind === 'step' ? `step:${String(e.data.stepKey)}` : e.kind)),
    ).toEqual([
      'report',
      'classification',
      'step:keep_evidence',
      'letter',
      'step:slt_meeting_with_victim',
      'victim_wishes',
      'step:request_removal',
      'step:report_to_provider',
      'letter',
      'note',
      'closed',
    ]);
    const head = await staff('headteacher');
    const letters = await ctx.services.incidentLetters.list(head, post!.incident_id);
    expect(letters.map((l) => l.templateKey)).toEqual(['parent_warning', 'meeting_invitation']);
    const warning = await ctx.services.incidentLetters.pdf(head, letters[0]!.id);
    const words = pdfText(warning.bytes);
    expect(words).toContain('Dear Mr Wright,');
    expect(words).toContain('Oakfield Primary School');
    expect(words).toContain('20 September 2026');
    expect(words).toContain('INC-0001');
    expect(new Date(letters[0]!.createdAt).toISOString()).toBe('2026-10-01T11:32:00.000Z');
  });

  it('records the staff victim’s wishes and the school’s police decision', async () => {
    const kinds = await rows<{ kind: string; data: Record<string, unknown> }>(sql`
      SELECT e.kind, e.data FROM incident_entries e JOIN incident_cases c ON c.incident_id = e.incident_id
      WHERE c.school_id = ${schoolId} AND c.reference = 'INC-0002'
        AND e.kind IN ('victim_wishes', 'police_decision') ORDER BY e.at, e.id`);
    expect(kinds.map((k) => k.kind)).toEqual(['victim_wishes', 'police_decision']);
    expect(kinds[1]!.data).toMatchObject({ decision: 'not_report', decidedBy: 'school' });
  });

  it('keeps the school’s own Facebook guidance and an unbroken audit chain', async () => {
    const { page } = await ctx.services.incidentGuidance.page(schoolId, 'facebook');
    expect(page.source).toBe('school');
    expect(page.summary).toContain('Oakfield Parents');
    const actions = await rows<{ action: string }>(sql`
      SELECT DISTINCT action FROM audit_events WHERE school_id = ${schoolId} AND action LIKE 'incidents.%'`);
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'incidents.reported',
        'incidents.classified',
        'incidents.step-recorded',
        'incidents.letter-created',
        'incidents.closed',
        'incidents.image-referral-reported',
        'incidents.guidance-updated',
      ]),
    );
    expect((await ctx.services.audit.verify()).ok).toBe(true);
  });
});
