/**
 * The consent record keeper the profile names (`roles.consentRecordKeeperRole`, or a holder of one
 * of `roles.consentRecordKeeperResponsibilities`) records paper forms, withdrawals and a pupil's
 * competence to decide, and imports consents, like the roles the rules name; someone who is
 * neither gets a 404 before the body is read, and nothing changes. The keeper's role here sees no
 * consent pages by itself (an ICT technician holding the E-safety co-ordinator responsibility; the
 * Business Manager by role), so the navigation's Consent entry shows for them as a keeper.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ukDate } from '../../src/platform/clock.ts';
import { createTestServices, type TestContext } from '../support/db.ts';
import { addParent, createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';

const KEY = 'esafety_coordinator';
const IMAGE = 'school_social_media/image';
const VIDEO = 'school_social_media/video';
const NAME = 'school_social_media/name';

describe('the consent record keeper records forms, withdrawals, competence and imports (HTTP)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let pupil: { id: string; mum: string };
  const b: Record<'ict' | 'bm' | 'governor' | 'teacher' | 'office', Browser> = {} as never;

  const head = () => ({ kind: 'staff' as const, id: fx.staff.headteacher.id });
  const pool = () => ctx.services.database.pool;
  const today = () => ukDate(new Date());
  const dateFields = (prefix: string) => {
    const [y, m, d] = today().split('-');
    return {
      [`${prefix}-day`]: String(Number(d)),
      [`${prefix}-month`]: String(Number(m)),
      [`${prefix}-year`]: y!,
    };
  };
  const postMultipart = (
    browser: Browser,
    url: string,
    fields: Record<string, string | string[]>,
    file?: { field: string; filename: string; type: string; content: Buffer },
  ): Promise<LightMyRequestResponse> => {
    const body = multipartBody({ _csrf: browser.csrf ?? '', ...fields }, file);
    return browser.request({
      method: 'POST',
      url,
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
  };
  const setRules = async (values: Record<string, unknown>) => {
    const current = await ctx.services.policies.current(fx.school.id);
    await ctx.services.policies.saveSettings(fx.school.id, head(), {
      values,
      note: 'The consent record keeper',
      expectedVersion: current.version,
      substantive: false,
    });
  };
  const history = async () =>
    (await ctx.services.consent.pupilRegister(fx.school.id, pupil.id)).history;
  const counts = async () =>
    (
      await pool().query<{ records: number; assessments: number; imports: number }>(
        `SELECT (SELECT count(*)::int FROM consent_records WHERE school_id = $1) AS records,
                (SELECT count(*)::int FROM pupil_competence_assessments WHERE school_id = $1) AS assessments,
                (SELECT count(*)::int FROM consent_imports WHERE school_id = $1) AS imports`,
        [fx.school.id],
      )
    ).rows[0]!;
  const paperForm = {
    method: 'paper_form',
    'q-school_social_media-image': 'granted',
    'q-school_social_media-video': 'refused',
    'q-school_social_media-name': 'refused',
  };
  /** The service navigation's links on a page. */
  const navLinks = (html: string) =>
    [
      ...(/<nav[^>]*aria-label="Main menu"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '').matchAll(
        /href="([^"]+)"/g,
      ),
    ].map((m) => m[1]);

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { slug: 'keeper-a', pupils: 4 });
    const first = fx.pupils[0]!;
    const mum = await addParent(ctx.services, {
      schoolId: fx.school.id,
      pupilId: first.id,
      givenName: 'Keeper',
      familyName: 'Mum',
      email: 'keeper.mum@keeper-a.test',
      relationship: 'Mother',
    });
    pupil = { id: first.id, mum };
    // The ICT Technician holds the E-safety co-ordinator responsibility, which the profile names
    // as the keeper's; the Business Manager is the keeper's role. Neither role sees consent pages.
    await ctx.services.responsibilities.give(fx.school.id, head(), {
      staffId: fx.staff.ict_technician.id,
      responsibilityKey: KEY,
    });
    await setRules({
      'roles.consentRecordKeeperResponsibilities': [KEY],
      'roles.consentRecordKeeperRole': 'business_manager',
    });
    for (const [k, role] of [
      ['ict', 'ict_technician'],
      ['bm', 'business_manager'],
      ['governor', 'governor'],
      ['teacher', 'teacher'],
      ['office', 'office'],
    ] as const) {
      b[k] = new Browser(app);
      await b[k].signIn(fx.staff[role].email);
    }
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('shows the keeper the Consent entry in the navigation, and the pages it leads to', async () => {
    for (const k of ['ict', 'bm'] as const) {
      const home = await b[k].get('/');
      expect(navLinks(home.body), k).toContain('/consent');
      const overview = await b[k].get('/consent');
      expect(overview.statusCode, k).toBe(200);
      // Every pupil of the school (the keeper keeps the whole record), and the import.
      expect(overview.body).toContain('/consent/imports');
      const page = await b[k].get(`/consent/pupils/${pupil.id}`);
      expect(page.statusCode, k).toBe(200);
      expect(page.body).toContain(`/consent/pupils/${pupil.id}/paper-form`);
      expect(page.body).toContain(`/consent/pupils/${pupil.id}/withdrawal`);
      expect(page.body).toContain(`/consent/pupils/${pupil.id}/competence`);
    }
    // Not a keeper: no entry for the governor, and the office's entry appears once.
    expect(navLinks((await b.governor.get('/')).body)).not.toContain('/consent');
    expect(navLinks((await b.office.get('/')).body).filter((h) => h === '/consent')).toHaveLength(
      1,
    );
  });

  it('lets the keeper by responsibility record a paper form and a withdrawal; the records land', async () => {
    const ict = b.ict;
    const before = (await history()).length;
    expect((await ict.get(`/consent/pupils/${pupil.id}/paper-form`)).statusCode).toBe(200);
    const form = await postMultipart(ict, `/consent/pupils/${pupil.id}/paper-form`, {
      decider: pupil.mum,
      ...dateFields('decidedOn'),
      ...paperForm,
      note: 'Returned to the office by the keeper',
    });
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe(`/consent/pupils/${pupil.id}`);
    let recorded = await history();
    expect(recorded).toHaveLength(before + 1);
    expect(recorded[0]!.record.kind).toBe('form');
    expect(recorded[0]!.record.recordedByKind).toBe('staff');
    expect(recorded[0]!.record.recordedById).toBe(fx.staff.ict_technician.id);
    expect(recorded[0]!.record.decisions).toMatchObject({ [IMAGE]: 'granted', [VIDEO]: 'refused' });

    expect((await ict.get(`/consent/pupils/${pupil.id}/withdrawal`)).statusCode).toBe(200);
    const withdrawal = await postMultipart(ict, `/consent/pupils/${pupil.id}/withdrawal`, {
      decider: pupil.mum,
      method: 'letter',
      ...dateFields('decidedOn'),
      withdraw: [IMAGE],
      note: 'Letter to the keeper',
    });
    expect(withdrawal.statusCode).toBe(303);
    recorded = await history();
    expect(recorded).toHaveLength(before + 2);
    expect(recorded[0]!.record.kind).toBe('withdrawal');
    expect(recorded[0]!.record.recordedById).toBe(fx.staff.ict_technician.id);
    expect(recorded[0]!.record.decisions).toEqual({ [IMAGE]: 'refused' });
    // The register answers from the withdrawal at once.
    const answer = (await ctx.services.consent.positions(fx.school.id, [pupil.id]))
      .get(pupil.id)
      ?.get(IMAGE);
    expect(answer?.allowed).toBe(false);
    expect(NAME).toBeTruthy();
  });

  it('lets the keeper by role record the pupil’s competence and import consents', async () => {
    const bm = b.bm;
    const assessments = (await counts()).assessments;
    const competence = await bm.post(
      `/consent/pupils/${pupil.id}/competence`,
      { competent: 'yes', ...dateFields('assessedOn'), note: 'Assessed by the keeper' },
      { csrfFrom: `/consent/pupils/${pupil.id}/competence` },
    );
    expect(competence.statusCode).toBe(303);
    expect((await counts()).assessments).toBe(assessments + 1);

    expect((await bm.get('/consent/imports')).statusCode).toBe(200);
    const imports = (await counts()).imports;
    const upload = await postMultipart(
      bm,
      '/consent/imports',
      {},
      {
        field: 'file',
        filename: 'consents.csv',
        type: 'text/csv',
        content: Buffer.from(
          `UPN,Parent email,Date on form,Method,school_social_media image\n${fx.pupils[1]!.misId},,04/09/2026,paper form,Yes\n`,
        ),
      },
    );
    expect(upload.statusCode).toBe(303);
    const importUrl = String(upload.headers.location);
    expect(importUrl).toMatch(/^\/consent\/imports\/[0-9a-f-]{36}$/);
    expect((await counts()).imports).toBe(imports + 1);
    expect((await bm.get(importUrl)).statusCode).toBe(200);
    // Confirming reaches the import (it may still be checking: then the page says so, 409).
    const confirm = await bm.post(`${importUrl}/confirm`, {}, { csrfFrom: importUrl });
    expect([303, 409]).toContain(confirm.statusCode);
  });

  it('refuses someone who is neither in the roles nor the keeper with a 404, and changes nothing', async () => {
    const before = await counts();
    const records = (await history()).length;
    for (const k of ['governor', 'teacher'] as const) {
      const who = b[k];
      await who.get('/');
      for (const url of [
        `/consent/pupils/${pupil.id}/paper-form`,
        `/consent/pupils/${pupil.id}/withdrawal`,
        `/consent/pupils/${pupil.id}/competence`,
        '/consent/imports',
      ])
        expect((await who.get(url)).statusCode, `${k} GET ${url}`).toBe(404);
      const form = await postMultipart(who, `/consent/pupils/${pupil.id}/paper-form`, {
        decider: pupil.mum,
        ...dateFields('decidedOn'),
        ...paperForm,
      });
      expect(form.statusCode, k).toBe(404);
      const withdrawal = await postMultipart(who, `/consent/pupils/${pupil.id}/withdrawal`, {
        decider: pupil.mum,
        method: 'letter',
        ...dateFields('decidedOn'),
        withdraw: [VIDEO],
      });
      expect(withdrawal.statusCode, k).toBe(404);
      const competence = await who.post(`/consent/pupils/${pupil.id}/competence`, {
        competent: 'no',
        ...dateFields('assessedOn'),
      });
      expect(competence.statusCode, k).toBe(404);
      const upload = await postMultipart(
        who,
        '/consent/imports',
        {},
        { field: 'file', filename: 'consents.csv', type: 'text/csv', content: Buffer.from('a\n') },
      );
      expect(upload.statusCode, k).toBe(404);
      // Refused before the body is read: even without a CSRF token (checked once the body is
      // parsed) the answer is the 404, not "this form has expired".
      const noToken = multipartBody({ decider: pupil.mum, withdraw: VIDEO });
      const unread = await who.request({
        method: 'POST',
        url: `/consent/pupils/${pupil.id}/withdrawal`,
        payload: noToken.payload,
        headers: { 'content-type': noToken.contentType },
      });
      expect(unread.statusCode, k).toBe(404);
    }
    // The keeper's own forged form is a 403: the 404 above is the keeper check's, not the body's.
    const forged = await b.bm.request({
      method: 'POST',
      url: `/consent/pupils/${pupil.id}/withdrawal`,
      payload: `decider=${pupil.mum}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(forged.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
    expect(await history()).toHaveLength(records);
  });

  it('stops honouring the keeper once the responsibility is taken away (next request)', async () => {
    const { rows } = await pool().query<{ id: string }>(
      `SELECT id FROM responsibility_holders WHERE staff_id = $1 AND removed_at IS NULL`,
      [fx.staff.ict_technician.id],
    );
    for (const r of rows) await ctx.services.responsibilities.remove(fx.school.id, head(), r.id);
    const records = (await history()).length;
    const refused = await postMultipart(b.ict, `/consent/pupils/${pupil.id}/withdrawal`, {
      decider: pupil.mum,
      method: 'letter',
      ...dateFields('decidedOn'),
      withdraw: [VIDEO],
    });
    expect(refused.statusCode).toBe(404);
    expect(await history()).toHaveLength(records);
    expect(navLinks((await b.ict.get('/')).body)).not.toContain('/consent');
    expect((await b.ict.get('/consent')).statusCode).toBe(404);
  });
});
