/**
 * Three more rules name a responsibility as well as a role (issue 15 item 2): the policy's
 * reviewers (`review.reviewerResponsibilities`), the device approver
 * (`roles.deviceApproverResponsibilities`) and the consent record keeper
 * (`roles.consentRecordKeeperResponsibilities`; its role, `roles.consentRecordKeeperRole`, is read
 * now too). At a school on the 000 template (Jump Primary, whose E-Safety Co-ordinator is a
 * responsibility), a teacher given it may do each only once the profile names it, and not after it
 * is taken away; everyone else still gets a 404.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, formValues } from '../support/http-principals.ts';
import {
  getTemplate,
  policySettingsSchema,
  type PolicySettings,
} from '../../src/modules/policies/index.ts';

const KEY = 'esafety_coordinator';

describe('reviewers, device approver and consent keeper by responsibility (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let teacher: Browser;
  let bm: Browser;
  let office: Browser;

  const head = () => ({ kind: 'staff' as const, id: fx.staff.headteacher.id });

  /** The Headteacher saves the profile with these values (a minor change: nobody asked again). */
  const setRules = async (values: Record<string, unknown>) => {
    const current = await ctx.services.policies.current(fx.school.id);
    await ctx.services.policies.saveSettings(fx.school.id, head(), {
      values,
      note: 'Named responsibilities',
      expectedVersion: current.version,
      substantive: false,
    });
  };
  const give = () =>
    ctx.services.responsibilities.give(fx.school.id, head(), {
      staffId: fx.staff.teacher.id,
      responsibilityKey: KEY,
    });
  const takeAway = async () => {
    const { rows } = await ctx.services.database.pool.query<{ id: string }>(
      `SELECT id FROM responsibility_holders WHERE staff_id = $1 AND removed_at IS NULL`,
      [fx.staff.teacher.id],
    );
    for (const r of rows) await ctx.services.responsibilities.remove(fx.school.id, head(), r.id);
  };
  const registerDevice = (tag: string) =>
    ctx.services.devices.register(
      fx.school.id,
      { kind: 'staff', id: fx.staff.ict_technician.id },
      { name: `Camera ${tag}`, deviceType: 'camera', assetTag: tag },
    );
  const approve = (b: Browser, id: string) =>
    b.post(`/devices/${id}/approve`, {}, { csrfFrom: '/devices' });

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2, template: 'jump-primary' });
    teacher = new Browser(app);
    bm = new Browser(app);
    office = new Browser(app);
    await teacher.signIn(fx.staff.teacher.email);
    await bm.signIn(fx.staff.business_manager.email);
    await office.signIn(fx.staff.office.email);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('accepts only the school’s own responsibilities in the three rules; a stored profile without them reads none', () => {
    const template = getTemplate('jump-primary')!.settings as PolicySettings;
    for (const [section, key] of [
      ['review', 'reviewerResponsibilities'],
      ['roles', 'deviceApproverResponsibilities'],
      ['roles', 'consentRecordKeeperResponsibilities'],
    ] as const) {
      const settings = structuredClone(template) as unknown as Record<
        string,
        Record<string, { value: unknown }>
      >;
      settings[section]![key]!.value = [KEY];
      expect(policySettingsSchema.safeParse(settings).success).toBe(true);
      settings[section]![key]!.value = ['no_such_thing'];
      const parsed = policySettingsSchema.safeParse(settings);
      expect(parsed.success).toBe(false);
      expect(JSON.stringify(parsed.error?.issues)).toContain(key);
      // Profiles stored before the rule existed: none named.
      delete (settings[section] as Record<string, unknown>)[key];
      const old = policySettingsSchema.parse(settings) as unknown as typeof settings;
      expect(old[section]![key]!.value).toEqual([]);
    }
  });

  it('a holder of a reviewer responsibility records the policy review, once the profile names it', async () => {
    await give();
    // Holding it is not enough until the profile names it.
    expect((await teacher.get('/policy/reviews/new')).statusCode).toBe(404);
    await setRules({ 'review.reviewerResponsibilities': [KEY] });
    const form = await teacher.get('/policy/reviews/new');
    expect(form.statusCode).toBe(200);
    const today = new Date().toISOString().slice(0, 10).split('-');
    const recorded = await teacher.post('/policy/reviews/new', {
      ...formValues(form.body, '/policy/reviews/new'),
      reason: 'scheduled',
      'metOn-day': String(Number(today[2])),
      'metOn-month': String(Number(today[1])),
      'metOn-year': today[0]!,
      attendees: 'The Headteacher and the E-Safety Co-ordinator',
      decisions: 'No change this year',
    });
    expect(recorded.statusCode).toBe(303);
    // The page names the responsibility among who reviews, in the school's words.
    const list = await teacher.get('/policy/reviews');
    expect(list.body).toContain('E-Safety Co-ordinator');
    // Another member of staff without it still cannot.
    expect((await office.get('/policy/reviews/new')).statusCode).toBe(404);
    await takeAway();
    expect((await teacher.get('/policy/reviews/new')).statusCode).toBe(404);
  });

  it('a holder of a device approver responsibility approves devices and reviews the quarantine', async () => {
    const first = await registerDevice('JUMP-CAM-1');
    await give();
    expect((await approve(teacher, first.id)).statusCode).toBe(404);
    expect((await teacher.get('/media/quarantine')).statusCode).toBe(404);
    await setRules({ 'roles.deviceApproverResponsibilities': [KEY] });
    const page = await teacher.get('/devices');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`/devices/${first.id}/approve`);
    expect(page.body).toContain('or the E-Safety Co-ordinator');
    expect((await approve(teacher, first.id)).statusCode).toBe(303);
    expect((await ctx.services.devices.get(fx.school.id, first.id)).status).toBe('approved');
    expect((await teacher.get('/media/quarantine')).statusCode).toBe(200);
    // Others are still refused; and once it is taken away, so is the teacher.
    const second = await registerDevice('JUMP-CAM-2');
    expect((await approve(office, second.id)).statusCode).toBe(404);
    await takeAway();
    expect((await approve(teacher, second.id)).statusCode).toBe(404);
    expect((await teacher.get('/media/quarantine')).statusCode).toBe(404);
  });

  it('the consent record keeper the profile names, by role or responsibility, keeps the record', async () => {
    // The school-wide keeping pages: 404 to a teacher and the Business Manager at first.
    for (const b of [teacher, bm]) {
      expect((await b.get('/consent/campaigns')).statusCode).toBe(404);
      expect((await b.get('/consent/changes')).statusCode).toBe(404);
      expect((await b.get('/consent/export.csv')).statusCode).toBe(404);
    }
    // The office still sees the register's school-wide pages, as before.
    expect((await office.get('/consent/changes')).statusCode).toBe(200);

    // By responsibility: the teacher holding it, once the profile names it.
    await give();
    expect((await teacher.get('/consent/campaigns')).statusCode).toBe(404);
    await setRules({ 'roles.consentRecordKeeperResponsibilities': [KEY] });
    expect((await teacher.get('/consent/campaigns')).statusCode).toBe(200);
    expect((await teacher.get('/consent/changes')).statusCode).toBe(200);
    const csv = await teacher.get('/consent/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    // Their consent overview links the keeper’s pages.
    expect((await teacher.get('/consent')).body).toContain('/consent/changes');
    await takeAway();
    expect((await teacher.get('/consent/campaigns')).statusCode).toBe(404);

    // By role: the profile names the Business Manager as record keeper.
    await setRules({ 'roles.consentRecordKeeperRole': 'business_manager' });
    expect((await bm.get('/consent/campaigns')).statusCode).toBe(200);
    expect((await bm.get('/consent/changes')).statusCode).toBe(200);
    // … and the DPO and Headteacher still manage it; the teacher does not.
    expect((await teacher.get('/consent/changes')).statusCode).toBe(404);
  });
});
