import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoSchool } from '../../src/demo/seed.ts';
import type { Principal, StaffPrincipal } from '../../src/modules/auth/principal.ts';
import { createTestServices, type TestContext } from '../support/db.ts';

/**
 * Issue 9 item 2 on the demo-sized school (301 pupils, consent as the demo seeds it):
 * - a 5-pupil partial MIS file marks nobody as possibly left (before, all 296 others were);
 * - a whole-roll file marks exactly the pupils missing from it;
 * - the number of pupils without a consent form is the same on the dashboard, the register,
 *   the chaser and the trust page, before and after either import and after leaving dates.
 */
describe('pupils without a consent form, and partial MIS files, on the demo school', () => {
  let ctx: TestContext;
  let schoolId: string;
  let office: StaffPrincipal;
  let head: StaffPrincipal;
  let trust: Principal;

  const q = async <T>(text: string, values: unknown[] = []) =>
    (await ctx.services.database.pool.query(text, values)).rows as T[];

  async function staffPrincipal(role: string): Promise<StaffPrincipal> {
    const [row] = await q<{ id: string }>(
      `SELECT s.id FROM staff s JOIN staff_roles r ON r.staff_id = s.id
        WHERE s.school_id = $1 AND r.role = $2 ORDER BY s.email LIMIT 1`,
      [schoolId, role],
    );
    return { kind: 'staff', id: row!.id, schoolId, roles: [role as never], name: role };
  }

  /** Every page's figure for "pupils without a consent form". */
  async function counts() {
    const s = ctx.services;
    const dashboard = await s.dashboard.forPrincipal(office);
    const item = dashboard.items.find((i) => /no consent form/.test(i.title));
    const dashboardCount = item ? Number(/^(\d+)/.exec(item.title)![1]) : 0;
    const register = (await s.consentOffice.overview(head)).notReturned;
    const period = (await s.consent.recordablePeriods(schoolId))[0]!.key;
    let campaign = await s.consentCampaigns.forPeriod(schoolId, period);
    if (!campaign) {
      await s.consentCampaigns.startNow(schoolId, { kind: 'staff', id: head.id }, period);
      campaign = await s.consentCampaigns.forPeriod(schoolId, period);
    }
    const chaser = (await s.consentCampaigns.chaser(schoolId, campaign!.id)).missing;
    const trustPage = await s.dashboard.forPrincipal(trust);
    const trustRow = (
      trustPage as { schools?: { id: string; consent: { withoutForm: number } | null }[] }
    ).schools!.find((r) => r.id === schoolId)!;
    return { dashboard: dashboardCount, register, chaser, trust: trustRow.consent!.withoutForm };
  }

  async function flagged(): Promise<number> {
    const [row] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM pupils WHERE school_id = $1 AND possibly_left_at IS NOT NULL`,
      [schoolId],
    );
    return row!.n;
  }

  type Pupil = {
    id: string;
    mis_id: string;
    given_name: string;
    family_name: string;
    date_of_birth: string;
    year_group: string;
    class_name: string | null;
  };

  function csv(pupils: Pupil[]): Buffer {
    const lines = ['pupil_id,given_name,family_name,date_of_birth,year_group,class'];
    for (const p of pupils) {
      lines.push(
        [p.mis_id, p.given_name, p.family_name, p.date_of_birth, p.year_group, p.class_name ?? '']
          .map((v) => `"${v.replace(/"/g, '""')}"`)
          .join(','),
      );
    }
    return Buffer.from(lines.join('\n') + '\n');
  }

  async function importFile(data: Buffer, wholeRoll: boolean) {
    const imports = ctx.services.imports;
    const actor = { kind: 'staff' as const, id: office.id };
    const id = await imports.upload(
      schoolId,
      actor,
      { filename: 'mis.csv', data },
      { queue: false },
    );
    const previewed = await imports.preview(id);
    expect(previewed?.status, JSON.stringify(previewed?.preview?.errors?.slice(0, 3))).toBe(
      'previewed',
    );
    await imports.requestCommit(schoolId, actor, id, { wholeRoll, queue: false });
    await imports.commit(id, office.id);
    return imports.get(schoolId, id);
  }

  beforeAll(async () => {
    ctx = await createTestServices();
    await seedDemoSchool(ctx.services);
    const [school] = await q<{ id: string; organisation_id: string }>(
      `SELECT id, organisation_id FROM schools WHERE slug = 'oakfield-primary'`,
    );
    schoolId = school!.id;
    office = await staffPrincipal('office');
    head = await staffPrincipal('headteacher');
    const [admin] = await q<{ id: string }>(
      `SELECT id FROM organisation_admins WHERE organisation_id = $1`,
      [school!.organisation_id],
    );
    trust = {
      kind: 'org_admin',
      id: admin!.id,
      organisationId: school!.organisation_id,
      name: 'Trust',
    };
  }, 180_000);

  afterAll(async () => ctx?.close());

  it('counts the same pupils everywhere, and a partial file flags nobody while a whole roll flags exactly the missing', async () => {
    const onRoll = await q<Pupil>(
      `SELECT id, mis_id, given_name, family_name, date_of_birth::text, year_group, class_name
         FROM pupils WHERE school_id = $1 AND leaving_date IS NULL ORDER BY mis_id`,
      [schoolId],
    );
    expect(onRoll.length).toBe(301);
    const before = await counts();
    expect(before.dashboard).toBeGreaterThan(0);
    expect(before).toEqual({
      dashboard: before.dashboard,
      register: before.dashboard,
      chaser: before.dashboard,
      trust: before.dashboard,
    });

    // Five pupils, a partial list: the preview says 296 are not in the file; nobody is marked.
    const partial = await importFile(csv(onRoll.slice(0, 5)), false);
    expect(partial.preview!.counts).toMatchObject({ rows: 5, notInFile: 296, possiblyLeft: 0 });
    expect(partial.summary!.counts).toMatchObject({ notInFile: 296, possiblyLeft: 0 });
    expect(await flagged()).toBe(0);
    expect(await counts()).toEqual(before);

    // The whole roll without seven pupils who have no form (so a count that left flagged pupils
    // out, as the dashboard's did, would disagree): exactly those seven are marked.
    const period = (await ctx.services.consent.recordablePeriods(schoolId))[0]!.key;
    const campaign = await ctx.services.consentCampaigns.forPeriod(schoolId, period);
    const chased = await ctx.services.consentCampaigns.chaser(schoolId, campaign!.id);
    const noForm = new Set(chased.classes.flatMap((c) => c.pupils.map((p) => p.pupilId)));
    const missing = onRoll.filter((p) => noForm.has(p.id)).slice(0, 7);
    expect(missing).toHaveLength(7);
    const whole = await importFile(csv(onRoll.filter((p) => !missing.includes(p))), true);
    expect(whole.summary!.counts).toMatchObject({ rows: 294, notInFile: 7, possiblyLeft: 7 });
    expect(await flagged()).toBe(7);
    const [marked] = await q<{ ids: string[] }>(
      `SELECT array_agg(mis_id ORDER BY mis_id) AS ids FROM pupils
        WHERE school_id = $1 AND possibly_left_at IS NOT NULL`,
      [schoolId],
    );
    expect(marked!.ids).toEqual(missing.map((p) => p.mis_id));
    // Flagged pupils are on roll until someone records a leaving date: every count still agrees.
    expect(await counts()).toEqual(before);
    // The dashboard sends the office to the page where the marks are reviewed.
    const flaggedItem = (await ctx.services.dashboard.forPrincipal(office)).items.find((i) =>
      /missing from the last MIS import/.test(i.title),
    );
    expect(flaggedItem).toMatchObject({
      title: '7 pupils were missing from the last MIS import',
      href: '/pupils/possibly-left',
    });

    // Three of them have left (yesterday): off the roll, and off every count together.
    const yesterday = (
      await q<{ yesterday: string }>(
        `SELECT ((now() AT TIME ZONE 'Europe/London')::date - 1)::text AS yesterday`,
      )
    )[0]!.yesterday;
    const leaverIds = missing.slice(0, 3).map((p) => p.id);
    await ctx.services.people.recordLeaving(office, leaverIds, yesterday);
    const n = before.register - 3;
    expect(await counts()).toEqual({ dashboard: n, register: n, chaser: n, trust: n });

    // A pupil added in the app without a class (and so without a form) counts everywhere too.
    await ctx.services.people.addPupil(office, {
      givenName: 'Nia',
      familyName: 'Classless',
      dateOfBirth: '2019-05-01',
      yearGroup: '2',
      className: null,
      admissionDate: null,
      misId: null,
    });
    const m = n + 1;
    expect(await counts()).toEqual({ dashboard: m, register: m, chaser: m, trust: m });
    expect(await flagged()).toBe(4);
  }, 240_000);
});
