import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';

const multipart = (fields: Record<string, string>, file?: { filename: string; content: Buffer }) =>
  multipartBody(fields, file);

describe('consent campaigns and imports over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let campaignId: string;
  let office: Browser;
  let dpo: Browser;
  let teacher: Browser;
  let parent: Browser;
  let otherHead: Browser;

  const upload = async (who: Browser, file?: { filename: string; content: Buffer }) => {
    await who.get('/consent/imports');
    const body = multipart({ _csrf: who.csrf ?? '' }, file);
    return who.request({
      method: 'POST',
      url: '/consent/imports',
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
  };

  /** The check job for an import page's URL (a worker runs it; here the test does). */
  const checkJob = (url: string) => ctx.services.consentImports.preview(url.split('/').at(-1)!);

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { slug: 'http-campaign', pupils: 6 });
    other = await createSchool(ctx.services, { slug: 'http-campaign-b', pupils: 3 });
    const periods = await ctx.services.consent.recordablePeriods(fx.school.id);
    const started = await ctx.services.consentCampaigns.startNow(
      fx.school.id,
      { kind: 'staff', id: fx.staff.dpo.id },
      periods[0]!.key,
    );
    campaignId = started.campaignId;
    office = new Browser(app);
    dpo = new Browser(app);
    teacher = new Browser(app);
    parent = new Browser(app);
    otherHead = new Browser(app);
    await Promise.all([
      office.signIn(fx.staff.office.email),
      dpo.signIn(fx.staff.dpo.email),
      teacher.signIn(fx.staff.teacher.email),
      signInWithLink(parent, ctx, fx.parent.email!),
      otherHead.signIn(other.staff.headteacher.email),
    ]);
  });

  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('shows the office the chaser list, by class, with parents and contact details', async () => {
    const list = await office.get('/consent/campaigns');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`/consent/campaigns/${campaignId}`);
    expect(list.body).toMatch(/0 of 6 pupils/);
    // Starting a campaign is for managers only: the office sees no start form.
    expect(list.body).not.toContain('Start campaign and send forms');

    const res = await office.get(`/consent/campaigns/${campaignId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Consent forms not returned');
    expect(res.body).toContain(`${fx.pupils[0]!.givenName} ${fx.pupils[0]!.familyName}`);
    expect(res.body).toContain(fx.parent.email!);
    expect(res.body).toMatch(/Class /);
    expect(res.body).toMatch(/Form sent/);
    expect(res.body).toContain('Send reminders now');
  });

  it('answers 404 to teachers, parents and other schools', async () => {
    for (const who of [teacher, parent]) {
      expect((await who.get('/consent/campaigns')).statusCode).toBe(404);
      expect((await who.get(`/consent/campaigns/${campaignId}`)).statusCode).toBe(404);
      expect((await who.get('/consent/imports')).statusCode).toBe(404);
    }
    expect((await otherHead.get(`/consent/campaigns/${campaignId}`)).statusCode).toBe(404);
    // Imports are for managers: the office may not import.
    expect((await office.get('/consent/imports')).statusCode).toBe(404);
  });

  it('refuses a reminder post without a CSRF token, and sends with one', async () => {
    await office.get(`/consent/campaigns/${campaignId}`);
    const refused = await office.post(
      `/consent/campaigns/${campaignId}/reminders`,
      {},
      { csrf: false },
    );
    expect(refused.statusCode).toBe(403);
    const forged = await office.post(`/consent/campaigns/${campaignId}/reminders`, {
      _csrf: 'forged',
    });
    expect(forged.statusCode).toBe(403);
    await office.get(`/consent/campaigns/${campaignId}`);
    const ok = await office.post(`/consent/campaigns/${campaignId}/reminders`);
    expect(ok.statusCode).toBe(303);
    const page = await office.get(`/consent/campaigns/${campaignId}`);
    // The forms went out moments ago: nobody is reminded twice within the hour.
    expect(page.body).toMatch(/0 reminders sent/);
  });

  it('re-renders the start form with an error summary when no period is chosen', async () => {
    await dpo.get('/consent/campaigns');
    const res = await dpo.post('/consent/campaigns', {});
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('govuk-error-summary');
    expect(res.body).toContain('Choose the school year the forms are for');
  });

  it('shows the import’s validation summary and row problems, and records nothing', async () => {
    const empty = await upload(dpo);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('govuk-error-summary');
    expect(empty.body).toContain('Select a CSV file');

    const csv = Buffer.from(
      `UPN,Parent email,Date on form,school_social_media image\n${fx.pupils[0]!.misId},${fx.parent.email},04/09/2026,maybe\nNOPE,${fx.parent.email},04/09/2026,yes\n`,
    );
    const res = await upload(dpo, { filename: 'consents.csv', content: csv });
    expect(res.statusCode).toBe(303);
    expect((await dpo.get(String(res.headers.location))).body).toContain('Checking the file');
    await checkJob(String(res.headers.location));
    const preview = await dpo.get(String(res.headers.location));
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('The file has 2 problems');
    expect(preview.body).toContain('“maybe” isn’t an answer we can read');
    expect(preview.body).toContain('No pupil with the id “NOPE”');
    expect(preview.body).not.toContain('Confirm import');
    const records = await ctx.services.database.pool.query('SELECT 1 FROM consent_records');
    expect(records.rowCount).toBe(0);

    // Another school's manager cannot see it.
    expect((await otherHead.get(String(res.headers.location))).statusCode).toBe(404);
  });

  it('imports a clean file after confirmation', async () => {
    const csv = Buffer.from(
      `UPN,Parent email,Date on form,school_social_media image,school_social_media video\n${fx.pupils[0]!.misId},${fx.parent.email},04/09/2026,yes,no\n`,
    );
    const res = await upload(dpo, { filename: 'clean.csv', content: csv });
    const url = String(res.headers.location);
    await checkJob(url);
    const preview = await dpo.get(url);
    expect(preview.body).toContain('Confirm import');
    const confirmed = await dpo.post(`${url}/confirm`);
    expect(confirmed.statusCode).toBe(303);
    const recording = await dpo.get(url);
    expect(recording.body).toContain('Import confirmed. Lanyard is recording the consents.');
    expect(recording.body).toContain('Recording the consents');
    // The recording job (a worker runs it; here the test does).
    await ctx.services.consentImports.commit(url.split('/').at(-1)!, fx.staff.dpo.id);
    const done = await dpo.get(url);
    expect(done.body).toContain('Import complete');
    expect(done.body).toContain('1 consent form recorded');
  });
});
