import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, formValues, scalar } from '../support/http-principals.ts';
import { newWebhookSecret } from '../../src/modules/publishing/accounts/standard-webhooks.ts';

/**
 * The channels pages and API over HTTP, CSRF on: who may see and change them, bad input (error
 * summary, nothing stored), and that no answer of any page or API call ever holds a token or
 * secret once it has been entered (the one exception: the page that shows a secret Lanyard
 * made, once).
 */
describe('the school’s channels over HTTP', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let bm: Browser;
  let head: Browser;
  let teacher: Browser;
  let otherHead: Browser;
  /** Every response body after a secret was entered, to check none of them holds it. */
  const seen: { url: string; body: string }[] = [];
  const secrets: string[] = [];

  const keep = (url: string, res: LightMyRequestResponse) => {
    seen.push({ url, body: res.body });
    return res;
  };
  const get = async (b: Browser, url: string) => keep(url, await b.get(url));
  const post = async (b: Browser, url: string, form: Record<string, string>, from?: string) =>
    keep(url, await b.post(url, form, from ? { csrfFrom: from } : {}));
  const api = async (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    keep(
      url,
      await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload: payload as Record<string, unknown> } : {}),
      }),
    );
  const channels = () => scalar(ctx, 'SELECT count(*) AS n FROM channel_accounts');
  const idFrom = (res: LightMyRequestResponse) =>
    /^\/channels\/([0-9a-f-]{36})$/.exec(String(res.headers.location))![1]!;

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 3 }),
      createSchool(ctx.services, { pupils: 3 }),
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
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('lists the channels with the built-in news page, in words, and says passwords are never stored', async () => {
    const res = await get(bm, '/channels');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('School news page');
    expect(res.body).toContain('Lanyard never stores the passwords');
    expect(res.body).toContain('Anyone (public)');
    expect(res.body).toContain('School social media accounts');
    expect(res.body).not.toContain('school_social_media');
    expect(res.body).toContain('href="/channels/new"');
    // A teacher sees the register, without the button; a volunteer does not.
    const t = await get(teacher, '/channels');
    expect(t.statusCode).toBe(200);
    expect(t.body).not.toContain('href="/channels/new"');
    // The menu's entry is the Headteacher's and the Business Manager's (on the "Posts and
    // photos" section's page); others come from the posts pages.
    const channelsLink = /<a class="govuk-link" href="\/channels">Channels<\/a>/;
    expect((await get(bm, '/section/posts-and-photos')).body).toMatch(channelsLink);
    const teacherSection = await get(teacher, '/section/posts-and-photos');
    expect(teacherSection.statusCode).toBe(200);
    expect(teacherSection.body).not.toMatch(channelsLink);
  });

  it('adds a social account through the two-step form, refuses bad input with the error summary', async () => {
    const choose = await get(bm, '/channels/new');
    expect(choose.statusCode).toBe(200);
    expect(choose.body).toContain('What kind of channel is it?');
    const form = await get(bm, '/channels/new?kind=social');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Do not enter the account’s password');
    const before = await channels();
    const bad = await post(bm, '/channels', {
      kind: 'social',
      name: '',
      purposeKey: 'school_social_media',
      audience: 'public',
      comments: 'on_moderated',
      maxLength: 'lots',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    for (const message of [
      'Enter a name for the channel',
      'Enter the platform, for example Facebook',
      'Say how comments are moderated, and by whom',
      'The longest post must be a whole number',
    ])
      expect(bad.body).toContain(message);
    expect(await channels()).toBe(before);

    const token = 'EAAB-http-test-token-4f1c2a9b8e7d';
    secrets.push(token);
    const values = formValues(form.body, '/channels');
    const ok = await post(bm, '/channels', {
      ...values,
      name: 'School Facebook page',
      platform: 'Facebook',
      handle: '@oakfield',
      purposeKey: 'school_social_media',
      audience: 'approved_followers',
      comments: 'on_moderated',
      moderation: 'The office hides any comment naming a pupil',
      credential: token,
    });
    expect(ok.statusCode).toBe(303);
    const id = idFrom(ok);
    const page = await get(bm, `/channels/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('is added to the school’s channels');
    expect(page.body).toMatch(/Set on \d{1,2} \w+ \d{4} at [^<]+ by business manager Tester/);
    expect(page.body).toContain('Only followers the school has approved');
    expect(page.body).toContain('Comments are on and moderated: The office hides');
    expect(page.body).toContain('63,206 characters');
  });

  it('shows a signing secret it made once, and never again', async () => {
    const res = await post(
      bm,
      '/channels',
      {
        kind: 'webhook',
        name: 'Parish website',
        endpointUrl: 'https://parish.example/lanyard',
        purposeKey: 'school_social_media',
        audience: 'public',
        comments: 'off',
      },
      '/channels/new?kind=webhook',
    );
    expect(res.statusCode).toBe(200);
    const secret = /id="secret">(whsec_[A-Za-z0-9+/=]+)</.exec(res.body)?.[1];
    expect(secret).toBeTruthy();
    expect(res.body).toContain('This is the only time Lanyard shows the secret');
    seen.pop(); // the one page allowed to show it
    secrets.push(secret!);
    const id = /href="\/channels\/([0-9a-f-]{36})"/.exec(res.body)![1]!;
    expect(res.headers['cache-control']).toContain('no-store');
    const page = await get(bm, `/channels/${id}`);
    expect(page.body).toContain('It is encrypted and is never shown again');
    expect(page.body).toContain('https://parish.example/lanyard');
    // A teacher sees the channel, not its address or deliveries.
    const t = await get(teacher, `/channels/${id}`);
    expect(t.statusCode).toBe(200);
    expect(t.body).not.toContain('parish.example');
    expect(t.body).not.toContain('Deliveries');
    expect(t.body).not.toContain(`/channels/${id}/credential`);

    // Replacing it with one the receiver gave: confirmation needed, then stored, not shown.
    const given = newWebhookSecret();
    secrets.push(given);
    const unconfirmed = await post(bm, `/channels/${id}/credential`, { credential: given });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Confirm that the old token or secret stops working');
    const replaced = await post(bm, `/channels/${id}/credential`, {
      credential: given,
      confirm: 'yes',
    });
    expect(replaced.statusCode).toBe(303);
    expect(
      (await ctx.services.channelAccounts.channelContext(fx.school.id, id, ctx.services.files))
        .credential,
    ).toBe(given);
  });

  it('authorises people to post and records a hand-over with the date in words', async () => {
    const { channels: list } = await ctx.services.channelAccounts.list({
      kind: 'staff',
      id: fx.staff.headteacher.id,
      schoolId: fx.school.id,
      roles: ['headteacher'],
      name: 'Head',
    });
    const id = list.find((c) => c.name === 'School Facebook page')!.id;
    await get(bm, `/channels/${id}`);
    const added = await post(bm, `/channels/${id}/posters`, { staffId: fx.staff.teacher.id });
    expect(added.statusCode).toBe(303);
    const page = await get(bm, `/channels/${id}`);
    expect(page.body).toContain('teacher Tester may now post to this channel');
    const none = await post(bm, `/channels/${id}/posters`, { staffId: '' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Select a member of staff');
    const removed = await post(bm, `/channels/${id}/posters/remove`, {
      staffId: fx.staff.teacher.id,
    });
    expect(removed.statusCode).toBe(303);

    const form = await get(bm, `/channels/${id}/handover`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('business manager Tester keeps the credentials now');
    const bad = await post(bm, `/channels/${id}/handover`, {
      toStaffId: fx.staff.headteacher.id,
      reason: '',
      'on-day': '31',
      'on-month': '2',
      'on-year': '2026',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter why the credentials were handed over');
    expect(bad.body).toContain('The date of the hand-over must be a real date');
    // The Business Manager cannot hand them to a teacher; the Headteacher can.
    const refused = await post(bm, `/channels/${id}/handover`, {
      toStaffId: fx.staff.teacher.id,
      reason: 'Cover',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(
      'Only the Headteacher can let someone who is not the Business Manager',
    );
    await get(head, `/channels/${id}/handover`);
    const ok = await post(head, `/channels/${id}/handover`, {
      toStaffId: fx.staff.teacher.id,
      reason: 'Business Manager on leave',
      'on-day': '5',
      'on-month': '1',
      'on-year': '2026',
    });
    expect(ok.statusCode).toBe(303);
    const after = await get(head, `/channels/${id}`);
    expect(after.body).toContain('The hand-over to teacher Tester is recorded');
    expect(after.body).toContain('5 January 2026');
    expect(after.body).toContain('Business Manager on leave');
  });

  it('stops using a channel only when confirmed, and uses it again', async () => {
    const { channels: list } = await ctx.services.channelAccounts.list({
      kind: 'staff',
      id: fx.staff.headteacher.id,
      schoolId: fx.school.id,
      roles: ['headteacher'],
      name: 'Head',
    });
    const id = list.find((c) => c.name === 'School Facebook page')!.id;
    await get(bm, `/channels/${id}`);
    const unconfirmed = await post(bm, `/channels/${id}/deactivate`, {});
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Confirm that the school no longer uses this channel');
    expect((await ctx.services.channelAccounts.get(fx.school.id, id))!.active).toBe(true);
    expect((await post(bm, `/channels/${id}/deactivate`, { stop: 'yes' })).statusCode).toBe(303);
    const page = await get(bm, `/channels/${id}`);
    expect(page.body).toContain('is no longer used. New posts cannot go to it.');
    expect(page.body).toContain('No longer used');
    expect((await get(bm, '/channels')).body).toContain('No longer used');
    expect((await post(bm, `/channels/${id}/reactivate`, {})).statusCode).toBe(303);
    expect((await get(bm, `/channels/${id}`)).body).toContain('is in use again');
    expect((await post(teacher, `/channels/${id}/deactivate`, { stop: 'yes' })).statusCode).toBe(
      404,
    );
  });

  it('hides every change from staff who do not manage channels, and other schools’ channels from everyone', async () => {
    const id = (await ctx.services.channelAccounts.ensureNewsChannel(fx.school.id)).id;
    const before = await channels();
    for (const url of ['/channels/new', `/channels/${id}/handover`])
      expect((await get(teacher, url)).statusCode).toBe(404);
    await get(teacher, '/channels');
    for (const url of ['/channels', `/channels/${id}/posters`, `/channels/${id}/handover`])
      expect(
        (await post(teacher, url, { kind: 'social', name: 'x', staffId: fx.staff.teacher.id }))
          .statusCode,
      ).toBe(404);
    expect((await get(otherHead, `/channels/${id}`)).statusCode).toBe(404);
    expect((await get(otherHead, '/channels')).body).not.toContain('Parish website');
    expect(await channels()).toBe(before + 1); // school B's own news page, made when it looked
  });

  it('lists and adds channels in the JSON API (in the OpenAPI document), never returning a secret', async () => {
    const token = await ctx.services.auth.createApiToken(
      fx.staff.business_manager.id,
      fx.school.id,
      'channels test',
    );
    const teacherToken = await ctx.services.auth.createApiToken(
      fx.staff.teacher.id,
      fx.school.id,
      'channels test',
    );
    const list = await api(token, 'GET', '/api/v1/channels');
    expect(list.statusCode).toBe(200);
    const body = list.json() as { channels: { name: string; credential: { set: boolean } }[] };
    expect(body.channels.map((c) => c.name)).toContain('Parish website');
    expect(body.channels.find((c) => c.name === 'Parish website')!.credential.set).toBe(true);

    const secret = newWebhookSecret();
    secrets.push(secret);
    const made = await api(token, 'POST', '/api/v1/channels', {
      kind: 'webhook',
      name: 'Trust website',
      purposeKey: 'school_social_media',
      audience: 'public',
      comments: 'off',
      endpointUrl: 'https://trust.example/in',
      credential: secret,
    });
    expect(made.statusCode).toBe(200);
    expect(made.json()).toMatchObject({
      name: 'Trust website',
      kind: 'webhook',
      purposeLabel: 'School social media accounts',
      credential: { set: true, setByName: 'business manager Tester' },
    });
    const noSecret = await api(token, 'POST', '/api/v1/channels', {
      kind: 'webhook',
      name: 'No secret',
      purposeKey: 'school_social_media',
      audience: 'public',
      comments: 'off',
      endpointUrl: 'https://trust.example/in',
    });
    expect(noSecret.statusCode).toBe(400);
    expect(noSecret.headers['content-type']).toContain('application/problem+json');
    expect(noSecret.json().errors.credential).toMatch(/signing secret/);
    const bad = await api(token, 'POST', '/api/v1/channels', {
      kind: 'social',
      name: 'X',
      purposeKey: 'nothing',
      audience: 'public',
      comments: 'off',
    });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().errors).sort()).toEqual(['handle', 'platform']);
    const refused = await api(teacherToken, 'POST', '/api/v1/channels', {
      kind: 'newsletter',
      name: 'News',
      purposeKey: 'school_social_media',
      audience: 'public',
      comments: 'off',
    });
    expect(refused.statusCode).toBe(404);
    // Refused before the body is read: the same 404 whatever is sent.
    expect(
      (await api(teacherToken, 'POST', '/api/v1/channels', { kind: 'nonsense' })).statusCode,
    ).toBe(404);
    const teacherList = await api(teacherToken, 'GET', '/api/v1/channels');
    expect(teacherList.statusCode).toBe(200);
    expect(teacherList.body).not.toContain('trust.example');

    const openapi = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const paths = (openapi.json() as { paths: Record<string, Record<string, unknown>> }).paths;
    expect(Object.keys(paths['/channels'] ?? {}).sort()).toEqual(['get', 'post']);
  });

  it('never returned a token or secret in any page or API answer after it was entered', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    expect(seen.length).toBeGreaterThan(20);
    for (const { url, body } of seen)
      for (const s of secrets) {
        expect(body.includes(s), url).toBe(false);
        expect(body.includes(s.replace(/^whsec_/, '')), url).toBe(false);
      }
    // Nor is any of them stored in clear.
    const dump = await ctx.services.database.pool.query<{ t: string }>(
      "SELECT string_agg(c::text, ' ') AS t FROM channel_accounts c",
    );
    for (const s of secrets) expect(dump.rows[0]!.t).not.toContain(s.replace(/^whsec_/, ''));
  });
});
