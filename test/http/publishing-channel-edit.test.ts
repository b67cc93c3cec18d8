import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, formValues } from '../support/http-principals.ts';
import { newWebhookSecret } from '../../src/modules/publishing/accounts/standard-webhooks.ts';

/**
 * Changing a channel's details after it was added (page and API), and the school's own contact
 * details page, over HTTP with CSRF on: who may, bad input (error summary / problem JSON, nothing
 * changed), audit, and other schools' channels answering 404.
 */
describe('changing a channel’s details, and the school’s contact details, over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let bm: Browser;
  let head: Browser;
  let teacher: Browser;
  let otherHead: Browser;
  let socialId: string;
  let webhookId: string;

  const row = async (id: string) =>
    (
      await ctx.services.database.pool.query(
        'SELECT name, platform, handle, audience, comments, moderation, endpoint_url, max_length, updated_at FROM channel_accounts WHERE id = $1',
        [id],
      )
    ).rows[0] as Record<string, unknown>;
  const audits = async (action: string) =>
    (await ctx.services.audit.listForSchool(fx.school.id, { action }, 1)).total;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 2 }),
      createSchool(ctx.services, { pupils: 1 }),
    ]);
    bm = new Browser(app);
    head = new Browser(app);
    teacher = new Browser(app);
    otherHead = new Browser(app);
    await Promise.all([
      bm.signIn(fx.staff.business_manager.email),
      head.signIn(fx.staff.headteacher.email),
      teacher.signIn(fx.staff.teacher.email),
      otherHead.signIn(other.staff.headteacher.email),
    ]);
    const manager = {
      kind: 'staff' as const,
      id: fx.staff.business_manager.id,
      schoolId: fx.school.id,
      roles: ['business_manager' as const],
      name: 'BM',
    };
    socialId = (
      await ctx.services.channelAccounts.create(manager, {
        kind: 'social',
        name: 'School Facebook page',
        platform: 'Facebook',
        handle: '@oakfield',
        purposeKey: 'school_social_media',
        audience: 'public',
        comments: 'off',
        moderation: null,
        custodianId: null,
        endpointUrl: null,
        credential: null,
        maxLength: null,
        maxImages: null,
      })
    ).channel.id;
    webhookId = (
      await ctx.services.channelAccounts.create(manager, {
        kind: 'webhook',
        name: 'Parish website',
        platform: null,
        handle: null,
        purposeKey: 'school_social_media',
        audience: 'public',
        comments: 'off',
        moderation: null,
        custodianId: null,
        endpointUrl: 'https://parish.example/in',
        credential: newWebhookSecret(),
        maxLength: null,
        maxImages: null,
      })
    ).channel.id;
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('the channel page links to the form, which shows the current details', async () => {
    const page = await bm.get(`/channels/${socialId}`);
    expect(page.body).toContain(`href="/channels/${socialId}/edit"`);
    expect((await teacher.get(`/channels/${socialId}`)).body).not.toContain('/edit"');
    const form = await bm.get(`/channels/${socialId}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Change the details of School Facebook page');
    const values = formValues(form.body, `/channels/${socialId}/edit`);
    expect(values).toMatchObject({
      name: 'School Facebook page',
      platform: 'Facebook',
      handle: '@oakfield',
      purposeKey: 'school_social_media',
      audience: 'public',
      comments: 'off',
      maxLength: '63206',
    });
  });

  it('refuses bad answers with the error summary and changes nothing', async () => {
    const before = await row(socialId);
    const res = await bm.post(
      `/channels/${socialId}/edit`,
      {
        name: '',
        platform: '',
        handle: '@oakfield',
        purposeKey: 'school_social_media',
        audience: 'public',
        comments: 'on_moderated',
        moderation: '',
        maxLength: 'lots',
      },
      { csrfFrom: `/channels/${socialId}/edit` },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('There is a problem');
    for (const message of [
      'Enter a name for the channel',
      'Enter the platform, for example Facebook',
      'Say how comments are moderated, and by whom',
      'The longest post must be a whole number',
    ])
      expect(res.body).toContain(message);
    expect(await row(socialId)).toEqual(before);
    const unknownPurpose = await bm.post(
      `/channels/${socialId}/edit`,
      {
        name: 'School Facebook page',
        platform: 'Facebook',
        handle: '@oakfield',
        purposeKey: 'not_a_purpose',
        audience: 'public',
        comments: 'off',
      },
      { csrfFrom: `/channels/${socialId}/edit` },
    );
    expect(unknownPurpose.statusCode).toBe(400);
    expect(unknownPurpose.body).toContain('Select what the channel is used for');
    expect(await row(socialId)).toEqual(before);
  });

  it('saves the changes, audits which fields changed, and shows them on the page', async () => {
    const before = await audits('publishing.channel-changed');
    const form = await bm.get(`/channels/${socialId}/edit`);
    const res = await bm.post(
      `/channels/${socialId}/edit`,
      {
        ...formValues(form.body, `/channels/${socialId}/edit`),
        name: 'Oakfield Facebook',
        audience: 'approved_followers',
        comments: 'on_moderated',
        moderation: 'The office hides any comment naming a pupil',
        maxLength: '5000',
      },
      { csrfFrom: `/channels/${socialId}/edit` },
    );
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/channels/${socialId}`);
    expect(await row(socialId)).toMatchObject({
      name: 'Oakfield Facebook',
      platform: 'Facebook',
      audience: 'approved_followers',
      comments: 'on_moderated',
      moderation: 'The office hides any comment naming a pupil',
      max_length: 5000,
    });
    expect(await audits('publishing.channel-changed')).toBe(before + 1);
    const entry = (
      await ctx.services.audit.listForSchool(
        fx.school.id,
        { action: 'publishing.channel-changed' },
        1,
      )
    ).rows[0]!;
    expect(entry.data).toEqual({
      changed: ['name', 'audience', 'comments', 'moderation', 'maxLength'],
    });
    const page = await bm.get(`/channels/${socialId}`);
    expect(page.body).toContain('The details of Oakfield Facebook are saved.');
    expect(page.body).toContain('Only followers the school has approved');
    expect(page.body).toContain('5,000 characters');

    // Sending the same answers again changes nothing and records nothing.
    const again = await bm.get(`/channels/${socialId}/edit`);
    await bm.post(
      `/channels/${socialId}/edit`,
      formValues(again.body, `/channels/${socialId}/edit`),
      {
        csrfFrom: `/channels/${socialId}/edit`,
      },
    );
    expect(await audits('publishing.channel-changed')).toBe(before + 1);
  });

  it('a webhook’s address is checked like when it was added', async () => {
    const form = await head.get(`/channels/${webhookId}/edit`);
    expect(form.statusCode).toBe(200);
    const values = formValues(form.body, `/channels/${webhookId}/edit`);
    const bad = await head.post(
      `/channels/${webhookId}/edit`,
      { ...values, endpointUrl: 'http://10.0.0.1/in' },
      { csrfFrom: `/channels/${webhookId}/edit` },
    );
    expect(bad.statusCode).toBe(400);
    expect((await row(webhookId)).endpoint_url).toBe('https://parish.example/in');
    const ok = await head.post(
      `/channels/${webhookId}/edit`,
      { ...values, endpointUrl: 'https://parish.example/lanyard' },
      { csrfFrom: `/channels/${webhookId}/edit` },
    );
    expect(ok.statusCode).toBe(303);
    expect((await row(webhookId)).endpoint_url).toBe('https://parish.example/lanyard');
  });

  it('is a 404 for staff who do not manage channels and for another school; needs CSRF', async () => {
    const before = await row(socialId);
    expect((await teacher.get(`/channels/${socialId}/edit`)).statusCode).toBe(404);
    expect(
      (
        await teacher.post(
          `/channels/${socialId}/edit`,
          { name: 'Hacked' },
          { csrfFrom: '/channels' },
        )
      ).statusCode,
    ).toBe(404);
    expect((await otherHead.get(`/channels/${socialId}/edit`)).statusCode).toBe(404);
    expect(
      (
        await otherHead.post(
          `/channels/${socialId}/edit`,
          {
            name: 'Hacked',
            purposeKey: 'school_social_media',
            audience: 'public',
            comments: 'off',
          },
          { csrfFrom: '/channels' },
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (await bm.post(`/channels/${socialId}/edit`, { name: 'No token' }, { csrf: false }))
        .statusCode,
    ).toBe(403);
    expect(await row(socialId)).toEqual(before);
  });

  it('changes a channel in the JSON API: fields left out stay, bad bodies are problem JSON, others get 404', async () => {
    const token = await ctx.services.auth.createApiToken(
      fx.staff.business_manager.id,
      fx.school.id,
      'edit test',
    );
    const teacherToken = await ctx.services.auth.createApiToken(
      fx.staff.teacher.id,
      fx.school.id,
      'edit test',
    );
    const otherToken = await ctx.services.auth.createApiToken(
      other.staff.headteacher.id,
      other.school.id,
      'edit test',
    );
    const patch = (t: string, payload: unknown) =>
      app.inject({
        method: 'PATCH',
        url: `/api/v1/channels/${socialId}`,
        headers: { authorization: `Bearer ${t}` },
        payload: payload as Record<string, unknown>,
      });
    const ok = await patch(token, { name: 'Oakfield on Facebook', maxImages: 6 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      id: socialId,
      name: 'Oakfield on Facebook',
      platform: 'Facebook',
      audience: 'approved_followers',
      maxLength: 5000,
      maxImages: 6,
    });
    const before = await row(socialId);
    const bad = await patch(token, { audience: 'everyone', maxLength: 'lots' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const badModeration = await patch(token, { moderation: null });
    expect(badModeration.statusCode).toBe(400);
    expect(JSON.stringify(badModeration.json())).toContain('Say how comments are moderated');
    expect(await row(socialId)).toEqual(before);
    expect((await patch(teacherToken, { name: 'x' })).statusCode).toBe(404);
    expect((await patch(otherToken, { name: 'x' })).statusCode).toBe(404);
    expect(await row(socialId)).toEqual(before);
    const openapi = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const paths = (openapi.json() as { paths: Record<string, Record<string, unknown>> }).paths;
    expect(Object.keys(paths['/channels/{id}'] ?? {})).toContain('patch');
  });

  it('the Headteacher keeps the school’s contact details; nobody else sees the page', async () => {
    const page = await head.get('/school');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('School contact details');
    expect((await head.get('/channels')).body).toContain('href="/school"');
    expect((await bm.get('/channels')).body).not.toContain('href="/school"');
    const bad = await head.post(
      '/school',
      { phone: 'call us', email: 'not-an-email', address: '12 Mill Lane', postcode: 'XX' },
      { csrfFrom: '/school' },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('Enter a phone number, like 01632 960 961');
    expect(bad.body).toContain('Enter an email address in the correct format');
    expect(bad.body).toContain('Enter a real postcode');
    expect(bad.body).toContain('12 Mill Lane'); // the answers are kept
    expect((await ctx.services.schoolDetails.contacts(fx.school.id)).phone).toBeNull();

    const ok = await head.post(
      '/school',
      {
        phone: '01632 960 001',
        email: 'office@oakfield.sch.uk',
        address: '12 Mill Lane\r\n\r\nOakfield',
        postcode: 'ok1 2ab',
      },
      { csrfFrom: '/school' },
    );
    expect(ok.statusCode).toBe(303);
    expect(await ctx.services.schoolDetails.contacts(fx.school.id)).toMatchObject({
      phone: '01632 960 001',
      email: 'office@oakfield.sch.uk',
      address: '12 Mill Lane\nOakfield',
      postcode: 'OK1 2AB',
    });
    expect((await ctx.services.schoolDetails.contacts(other.school.id)).phone).toBeNull();
    const saved = await head.get('/school');
    expect(saved.body).toContain('Contact details saved.');
    expect(saved.body).toContain('value="OK1 2AB"');
    expect(
      (
        await ctx.services.audit.listForSchool(
          fx.school.id,
          { action: 'people.school-contacts-changed' },
          5,
        )
      ).total,
    ).toBe(1);

    for (const b of [bm, teacher]) {
      expect((await b.get('/school')).statusCode).toBe(404);
      expect(
        (await b.post('/school', { phone: '01632 960 999' }, { csrfFrom: '/channels' })).statusCode,
      ).toBe(404);
    }
    expect(
      (await head.post('/school', { phone: '01632 960 999' }, { csrf: false })).statusCode,
    ).toBe(403);
    expect((await ctx.services.schoolDetails.contacts(fx.school.id)).phone).toBe('01632 960 001');
  });
});
