/**
 * Incidents over HTTP (issue 14): who sees what, proved with the data returned, in both
 * directions; a parent's "my reports" shows status only; the indecent-image report takes no
 * file by any route (form and API); alerts say nothing about the content.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp, multipartBody } from '../support/http.ts';
import { Browser, signInWithLink } from '../support/http-principals.ts';

const SECRET_WORDS = 'Jordan was sent threats in the Year 9 group chat';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe('incidents over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let dsl: Browser;
  let head: Browser;
  let teacher: Browser;
  let support: Browser;
  let office: Browser;
  let parent: Browser;
  let otherDsl: Browser;

  const q = async (sql: string, params: unknown[] = []) =>
    (await ctx.services.database.pool.query(sql, params)).rows;

  /** Posts the report form (multipart, as the browser sends it), with an optional file. */
  const report = async (
    b: Browser,
    fields: Record<string, string | string[]>,
    file?: { filename: string; type: string; content: Buffer },
  ) => {
    await b.get('/report/concern');
    const body = multipartBody(
      { _csrf: b.csrf ?? '', reporterConcern: 'no', ...fields },
      file ? { field: 'evidence', ...file } : undefined,
    );
    return b.request({
      method: 'POST',
      url: '/report/concern',
      payload: body.payload,
      headers: { 'content-type': body.contentType },
    });
  };
  const idFrom = (location: string | undefined) =>
    /\/report\/([0-9a-f-]{36})\/receipt/.exec(location ?? '')![1]!;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 4, template: 'jump-primary' }),
      createSchool(ctx.services, { pupils: 2 }),
    ]);
    dsl = new Browser(app);
    head = new Browser(app);
    teacher = new Browser(app);
    support = new Browser(app);
    office = new Browser(app);
    parent = new Browser(app);
    otherDsl = new Browser(app);
    await dsl.signIn(fx.staff.dsl.email);
    await head.signIn(fx.staff.headteacher.email);
    await teacher.signIn(fx.staff.teacher.email);
    await support.signIn(fx.staff.support_staff.email);
    await office.signIn(fx.staff.office.email);
    await otherDsl.signIn(other.staff.dsl.email);
    await signInWithLink(parent, ctx, fx.parent.email!);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  describe('a safeguarding concern', () => {
    let id: string;

    beforeAll(async () => {
      const res = await report(office, {
        whatHappened: SECRET_WORDS,
        reporterConcern: 'yes',
        platform: 'whatsapp',
        pupils: fx.pupils[0]!.id,
        pupilPart: 'victim',
      });
      expect(res.statusCode).toBe(303);
      id = idFrom(res.headers.location);
    });

    it('gives the reporter a receipt with the status, and not the case', async () => {
      const receipt = await office.get(`/report/${id}/receipt`);
      expect(receipt.statusCode).toBe(200);
      expect(receipt.body).toMatch(/INC-\d{4}/);
      expect(receipt.body).toContain('Received');
      expect(receipt.body).toContain('Do not reply to, or get back at');
      const page = await office.get(`/incidents/${id}`);
      expect(page.statusCode).toBe(404);
      expect(page.body).not.toContain(SECRET_WORDS);
    });

    it('is a 404 with no data for a teacher who did not report it, on every path', async () => {
      for (const url of [`/incidents/${id}`, `/report/${id}/receipt`, `/api/v1/incidents/${id}`]) {
        const res = await teacher.get(url);
        expect(res.statusCode, url).toBe(404);
        expect(res.body).not.toContain(SECRET_WORDS);
      }
      const list = await teacher.get('/incidents');
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain(id);
      const note = await teacher.post(
        `/incidents/${id}/notes`,
        { text: 'peek' },
        { csrfFrom: '/incidents' },
      );
      expect(note.statusCode).toBe(404);
      expect(
        (
          await q(
            'SELECT count(*)::int AS n FROM incident_entries WHERE incident_id = $1 AND kind = $2',
            [id, 'note'],
          )
        )[0]!.n,
      ).toBe(0);
    });

    it('is a 404 for another school’s DSL', async () => {
      const res = await otherDsl.get(`/incidents/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain(SECRET_WORDS);
      expect((await otherDsl.get('/incidents')).body).not.toContain(id);
    });

    it('opens for the DSL and the Headteacher, with the report as written', async () => {
      for (const b of [dsl, head]) {
        const page = await b.get(`/incidents/${id}`);
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain(SECRET_WORDS);
        expect((await b.get('/incidents')).body).toContain(id);
      }
    });

    it('opens for a deputy the DSL names, and only then', async () => {
      expect((await teacher.get(`/incidents/${id}`)).statusCode).toBe(404);
      const named = await dsl.post(
        `/incidents/${id}/restrict`,
        { deputyIds: fx.staff.teacher.id },
        { csrfFrom: `/incidents/${id}` },
      );
      expect(named.statusCode).toBe(303);
      const page = await teacher.get(`/incidents/${id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(SECRET_WORDS);
      // The Headteacher may see it but not name deputies.
      const byHead = await head.post(
        `/incidents/${id}/restrict`,
        { deputyIds: fx.staff.dpo.id },
        { csrfFrom: `/incidents/${id}` },
      );
      expect(byHead.statusCode).toBe(404);
      await dsl.post(`/incidents/${id}/restrict`, {}, { csrfFrom: `/incidents/${id}` });
      expect((await teacher.get(`/incidents/${id}`)).statusCode).toBe(404);
    });

    it('emails the alert without a word of the report', async () => {
      await ctx.services.incidents.sendAlert(fx.school.id, id);
      const mail = await ctx.sink.waitFor(fx.staff.dsl.email, { since: 0 });
      expect(mail.text).toContain('A new report needs your attention');
      expect(mail.text).toContain(`/incidents/${id}`);
      expect(mail.text).not.toContain('Jordan');
      expect(mail.text).not.toContain('WhatsApp');
    });
  });

  describe('a parent', () => {
    it('reports, sees the status of their own reports only, and never a case', async () => {
      const res = await report(parent, {
        whatHappened: 'A parent posted lies about Mr Smith on Facebook',
        platform: 'facebook',
        pupils: fx.pupils[0]!.id,
      });
      expect(res.statusCode).toBe(303);
      const id = idFrom(res.headers.location);
      const mine = await parent.get('/my-reports');
      expect(mine.statusCode).toBe(200);
      expect(mine.body).toContain(id);
      expect(mine.body).toContain('Received');
      expect(mine.body).not.toContain('lies about Mr Smith');
      // Someone else's report is not in the list, and its receipt is a 404.
      const others = await q(
        'SELECT id FROM incidents WHERE school_id = $1 AND reporter_kind <> $2',
        [fx.school.id, 'parent'],
      );
      for (const o of others) {
        expect(mine.body).not.toContain(o.id);
        expect((await parent.get(`/report/${o.id}/receipt`)).statusCode).toBe(404);
      }
      expect((await parent.get(`/incidents/${id}`)).statusCode).toBe(404);
      expect((await parent.get('/incidents')).statusCode).toBe(404);
      // A pupil not theirs cannot be named from the roll.
      const theirs = (
        await q('SELECT pupil_id FROM pupil_parents WHERE parent_id = $1', [fx.parent.id])
      ).map((r) => r.pupil_id);
      const stranger = fx.pupils.find((p) => !theirs.includes(p.id))!;
      const refused = await report(parent, { whatHappened: 'x', pupils: stranger.id });
      expect(refused.statusCode).toBe(400);
      // The DSL classifies: the parent sees "Being dealt with", still nothing more.
      const cls = await dsl.post(
        `/incidents/${id}/classify`,
        {
          incidentType: 'parent_defamation',
          category: 'conduct',
          risk: 'aggressive',
          safeguarding: 'no',
        },
        { csrfFrom: `/incidents/${id}` },
      );
      expect(cls.statusCode).toBe(303);
      expect((await parent.get('/my-reports')).body).toContain('Being dealt with');
    });
  });

  describe('evidence with a report', () => {
    it('hands the form’s files to the evidence store in the report’s transaction', async () => {
      const res = await report(
        parent,
        {
          whatHappened: 'A post calling the Head a liar',
          platform: 'facebook',
          occurredWhere: 'Village Facebook group',
        },
        { filename: 'screenshot.png', type: 'image/png', content: PNG },
      );
      expect(res.statusCode).toBe(303);
      const id = idFrom(res.headers.location);
      const rows = await q(
        'SELECT sha256, size::int AS size, stated_place FROM incident_evidence WHERE incident_id = $1',
        [id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ size: PNG.length, stated_place: 'Village Facebook group' });
      // A hostile file is refused on the form and nothing is reported.
      const before = (
        await q('SELECT count(*)::int AS n FROM incidents WHERE school_id = $1', [fx.school.id])
      )[0]!.n;
      const bad = await report(
        parent,
        { whatHappened: 'x' },
        { filename: 'run.png', type: 'image/png', content: Buffer.from('MZ\x90\x00 not an image') },
      );
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('govuk-error-summary');
      expect(
        (
          await q('SELECT count(*)::int AS n FROM incidents WHERE school_id = $1', [fx.school.id])
        )[0]!.n,
      ).toBe(before);
    });
  });

  describe('a nude or semi-nude image of a child', () => {
    let id: string;
    const evidenceRows = async () =>
      (
        await q('SELECT count(*)::int AS n FROM incident_evidence WHERE incident_id = $1', [
          id,
        ]).catch(() => [{ n: 0 }])
      )[0]!.n;

    it('asks the question first and sends a yes to the referral page', async () => {
      const res = await parent.post('/report', { indecentImage: 'yes' }, { csrfFrom: '/report' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/report/image');
      const page = await parent.get('/report/image');
      expect(page.body).toContain('Do not view, copy, print, share, save or send the image');
      expect(page.body).not.toContain('type="file"');
    });

    it('refuses a file sent with the referral form, keeping nothing', async () => {
      const before = (
        await q('SELECT count(*)::int AS n FROM incidents WHERE school_id = $1', [fx.school.id])
      )[0]!.n;
      await parent.get('/report/image');
      const body = multipartBody(
        { _csrf: parent.csrf ?? '', adultInvolved: 'no', understood: 'yes' },
        { field: 'evidence', filename: 'x.png', type: 'image/png', content: PNG },
      );
      const res = await parent.request({
        method: 'POST',
        url: '/report/image',
        payload: body.payload,
        headers: { 'content-type': body.contentType },
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(
        (
          await q('SELECT count(*)::int AS n FROM incidents WHERE school_id = $1', [fx.school.id])
        )[0]!.n,
      ).toBe(before);
    });

    it('records only the fact, the reporter and the referral; the DSL gets a referral task', async () => {
      const res = await parent.post(
        '/report/image',
        { adultInvolved: 'yes', understood: 'yes' },
        { csrfFrom: '/report/image' },
      );
      expect(res.statusCode).toBe(303);
      id = idFrom(res.headers.location);
      const [row] = await q('SELECT * FROM incidents WHERE id = $1', [id]);
      expect(row).toMatchObject({
        indecent_image: true,
        what_happened: null,
        url: null,
        platform: null,
        occurred_where: null,
        reporter_kind: 'parent',
      });
      const entries = await q(
        'SELECT kind, data FROM incident_entries WHERE incident_id = $1 ORDER BY seq',
        [id],
      );
      // A safeguarding concern is significant (training refreshed, early review): the reason only.
      expect(entries.map((r) => r.kind)).toEqual(['report', 'significant', 'referral']);
      expect(entries[1]!.data).toEqual({ reason: 'safeguarding' });
      const home = await dsl.get('/');
      expect(home.body).toContain('referral to make now');
      // Only the DSL, deputies and the Headteacher: not the teacher.
      expect((await teacher.get(`/incidents/${id}`)).statusCode).toBe(404);
    });

    it('takes no file on any route, the API included', async () => {
      expect(
        await ctx.services.incidents.canAddEvidence(
          {
            kind: 'staff',
            id: fx.staff.dsl.id,
            schoolId: fx.school.id,
            roles: ['dsl'],
            name: 'DSL',
          },
          id,
        ),
      ).toBe(false);
      // The case page's evidence form (B's route), as the DSL.
      await dsl.get(`/incidents/${id}`);
      const form = multipartBody(
        { _csrf: dsl.csrf ?? '', statedAt: 'today', statedPlace: 'chat' },
        { field: 'evidence', filename: 'shot.png', type: 'image/png', content: PNG },
      );
      const page = await dsl.request({
        method: 'POST',
        url: `/incidents/${id}/evidence`,
        payload: form.payload,
        headers: { 'content-type': form.contentType },
      });
      expect(page.statusCode).toBeGreaterThanOrEqual(400);
      // The reporter, through the same route.
      await parent.get('/my-reports');
      const byParent = multipartBody(
        { _csrf: parent.csrf ?? '' },
        { field: 'evidence', filename: 'shot.png', type: 'image/png', content: PNG },
      );
      const res2 = await parent.request({
        method: 'POST',
        url: `/incidents/${id}/evidence`,
        payload: byParent.payload,
        headers: { 'content-type': byParent.contentType },
      });
      expect(res2.statusCode).toBeGreaterThanOrEqual(400);
      // The API, with the DSL's token.
      const token = await ctx.services.auth.createApiToken(fx.staff.dsl.id, fx.school.id, 'test');
      const apiBody = multipartBody(
        {},
        { field: 'evidence', filename: 'shot.png', type: 'image/png', content: PNG },
      );
      const api = await app.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/evidence`,
        payload: apiBody.payload,
        headers: { authorization: `Bearer ${token}`, 'content-type': apiBody.contentType },
      });
      expect(api.statusCode).toBeGreaterThanOrEqual(400);
      // The API is described in the OpenAPI document, and a teacher names only pupils they see.
      const doc = JSON.parse(
        (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).body,
      );
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/incidents', '/incidents/{id}']),
      );
      const teacherToken = await ctx.services.auth.createApiToken(
        fx.staff.teacher.id,
        fx.school.id,
        't',
      );
      const outOfClass = await app.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: { indecentImage: false, whatHappened: 'x', pupilIds: [fx.pupils[0]!.id] },
        headers: { authorization: `Bearer ${teacherToken}` },
      });
      expect(outOfClass.statusCode).toBe(400);
      const byApi = await app.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: { indecentImage: false, whatHappened: 'Reported by the API' },
        headers: { authorization: `Bearer ${teacherToken}` },
      });
      expect(byApi.statusCode).toBe(200);
      expect(JSON.parse(byApi.body).reference).toMatch(/^INC-\d{4}$/);
      // A report through the API that says it is an image and carries words is refused too.
      const words = await app.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: { indecentImage: true, adultInvolved: 'no', whatHappened: 'describes it' },
        headers: { authorization: `Bearer ${token}` },
      });
      expect(words.statusCode).toBe(400);
      // The service refuses an entry of evidence for it whoever calls.
      await expect(
        ctx.services.database.transaction((tx) =>
          ctx.services.incidents.recordEntry(tx, id, fx.staff.dsl.id, 'evidence_added', {}),
        ),
      ).rejects.toThrow();
      expect(await evidenceRows()).toBe(0);
    });

    it('lets the DSL record the onward referral, which clears the task', async () => {
      const res = await dsl.post(
        `/incidents/${id}/referral`,
        { to: 'police', reference: 'CR-1234' },
        { csrfFrom: `/incidents/${id}` },
      );
      expect(res.statusCode).toBe(303);
      expect((await dsl.get('/')).body).not.toContain('referral to make now');
    });
  });

  describe('working a case', () => {
    it('classifies, assigns, records steps from the profile, closes and reopens, audited', async () => {
      const res = await report(teacher, {
        whatHappened: 'Pupils shared a mean video',
        platform: 'tiktok',
      });
      const id = idFrom(res.headers.location);
      // Bad answers change nothing.
      const bad = await head.post(
        `/incidents/${id}/classify`,
        { incidentType: 'nonsense' },
        { csrfFrom: `/incidents/${id}` },
      );
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('govuk-error-summary');
      expect(
        await head.post(
          `/incidents/${id}/classify`,
          {
            incidentType: 'pupil_on_pupil',
            category: 'conduct',
            risk: 'aggressive',
            safeguarding: 'no',
          },
          { csrfFrom: `/incidents/${id}` },
        ),
      ).toMatchObject({ statusCode: 303 });
      const page = await head.get(`/incidents/${id}`);
      const current = await ctx.services.policies.current(fx.school.id);
      const steps = current.settings.incidents.playbooks.pupil_on_pupil.value;
      for (const s of steps)
        expect(page.body).toContain(
          s.label
            .replace(/’/g, '&#8217;')
            .slice(0, 10)
            .replace(/&#8217;.*/, ''),
        );
      // A step not in the profile's playbook is a 404.
      expect(
        (
          await head.post(
            `/incidents/${id}/steps/made_up`,
            { outcome: 'x' },
            { csrfFrom: `/incidents/${id}` },
          )
        ).statusCode,
      ).toBe(404);
      expect(
        (
          await head.post(
            `/incidents/${id}/steps/${steps[0]!.key}`,
            { outcome: 'Screenshots kept' },
            { csrfFrom: `/incidents/${id}` },
          )
        ).statusCode,
      ).toBe(303);
      // Someone found to be involved later: the pupil's chronology shows the case.
      const pupil = fx.pupils[2]!;
      expect((await head.get(`/pupils/${pupil.id}/incidents`)).body).not.toContain(id);
      expect(
        (
          await head.post(
            `/incidents/${id}/people`,
            { pupilId: pupil.id, part: 'witness' },
            { csrfFrom: `/incidents/${id}` },
          )
        ).statusCode,
      ).toBe(303);
      const chronology = await head.get(`/pupils/${pupil.id}/incidents`);
      expect(chronology.body).toContain(id);
      expect(chronology.body).toContain('A pupil was added to who is involved');
      expect((await teacher.get(`/pupils/${pupil.id}/incidents`)).statusCode).toBe(404);
      // Assigned support staff can now open it; the teacher who reported it still cannot.
      expect((await support.get(`/incidents/${id}`)).statusCode).toBe(404);
      await head.post(
        `/incidents/${id}/assign`,
        { staffIds: fx.staff.support_staff.id },
        { csrfFrom: `/incidents/${id}` },
      );
      expect((await support.get(`/incidents/${id}`)).statusCode).toBe(200);
      expect((await teacher.get(`/incidents/${id}`)).statusCode).toBe(404);
      // Support staff may work (a note) but not close it.
      expect(
        (
          await support.post(
            `/incidents/${id}/notes`,
            { text: 'Spoke to both' },
            { csrfFrom: `/incidents/${id}` },
          )
        ).statusCode,
      ).toBe(303);
      expect(
        (
          await support.post(
            `/incidents/${id}/close`,
            { outcome: 'x' },
            { csrfFrom: `/incidents/${id}` },
          )
        ).statusCode,
      ).toBe(404);
      expect(
        (
          await head.post(
            `/incidents/${id}/close`,
            { outcome: 'Resolved with both families' },
            { csrfFrom: `/incidents/${id}` },
          )
        ).statusCode,
      ).toBe(303);
      expect(
        (
          await head.post(
            `/incidents/${id}/reopen`,
            { reason: 'It started again' },
            { csrfFrom: `/incidents/${id}` },
          )
        ).statusCode,
      ).toBe(303);
      // Every id on the case page is unique (open and closed forms, error links).
      for (const state of ['closed', 'open']) {
        if (state === 'closed')
          await head.post(
            `/incidents/${id}/close`,
            { outcome: 'Again' },
            { csrfFrom: `/incidents/${id}` },
          );
        else
          await head.post(
            `/incidents/${id}/reopen`,
            { reason: 'Again' },
            { csrfFrom: `/incidents/${id}` },
          );
        const html = (await head.get(`/incidents/${id}`)).body;
        const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
        expect(
          ids.filter((x, i) => ids.indexOf(x) !== i),
          state,
        ).toEqual([]);
      }
      const kinds = (
        await q('SELECT kind FROM incident_entries WHERE incident_id = $1 ORDER BY at, id', [id])
      ).map((r) => r.kind);
      expect(kinds).toEqual([
        'report',
        'classification',
        'step',
        'person_added',
        'assignment',
        'note',
        'closed',
        'reopened',
        'closed',
        'reopened',
      ]);
      const [c] = await q(
        'SELECT status, steps_done, assigned_staff_ids FROM incident_cases WHERE incident_id = $1',
        [id],
      );
      expect(c).toMatchObject({
        status: 'open',
        steps_done: 1,
        assigned_staff_ids: [fx.staff.support_staff.id],
      });
      const audit = (
        await q('SELECT action FROM audit_events WHERE entity_id = $1 ORDER BY seq', [id])
      ).map((r) => r.action);
      expect(audit).toEqual([
        'incidents.reported',
        'incidents.classified',
        'incidents.step-recorded',
        'incidents.person-added',
        'incidents.assigned',
        'incidents.note-added',
        'incidents.closed',
        'incidents.reopened',
        'incidents.closed',
        'incidents.reopened',
      ]);
    });
  });

  describe('the case list’s cursor', () => {
    it('carries the time to the microsecond, on the API and the page, and finds every case once', async () => {
      // The school's cases a microsecond apart, some at the same instant.
      await q(
        `UPDATE incident_cases c SET reported_at = '2026-03-04T10:11:12Z'::timestamptz + (n.k / 2) * interval '1 microsecond'
         FROM (SELECT incident_id, row_number() OVER (ORDER BY incident_id) AS k FROM incident_cases WHERE school_id = $1) n
         WHERE c.incident_id = n.incident_id`,
        [fx.school.id],
      );
      const expected = (
        await q(
          'SELECT incident_id FROM incident_cases WHERE school_id = $1 ORDER BY reported_at DESC, incident_id DESC',
          [fx.school.id],
        )
      ).map((r) => r.incident_id as string);
      expect(expected.length).toBeGreaterThan(3);
      const token = await ctx.services.auth.createApiToken(fx.staff.dsl.id, fx.school.id, 'cursor');
      const seen: string[] = [];
      let after: string | null = null;
      let pageLink = '';
      for (let i = 0; i <= expected.length; i++) {
        const res = await app.inject({
          method: 'GET',
          url: `/api/v1/incidents?limit=2${after ? `&after=${after}` : ''}`,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.statusCode).toBe(200);
        const body = res.json() as { cases: { id: string }[]; next: string | null };
        seen.push(...body.cases.map((c) => c.id));
        if (!body.next) break;
        expect(body.next).toMatch(/^2026-03-04T10:11:12\.\d{6}Z_[0-9a-f-]{36}$/);
        pageLink ||= body.next;
        after = body.next;
      }
      expect(seen).toEqual(expected);
      // The page takes the same cursor and links on with it.
      const page = await dsl.get(`/incidents?after=${pageLink}`);
      expect(page.statusCode).toBe(200);
      // Not a real time: a 400 on the API, the first page on the page.
      const id = expected[0]!;
      const bad = await app.inject({
        method: 'GET',
        url: `/api/v1/incidents?after=2026-02-30T10:11:12.000001Z_${id}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(bad.statusCode).toBe(400);
      expect((await dsl.get(`/incidents?after=2026-02-30T10:11:12.000001Z_${id}`)).statusCode).toBe(
        200,
      );
    });
  });
});
