import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, formValues, scalar } from '../support/http-principals.ts';

/**
 * Adding a Bluesky account on the channel pages (issue 13), CSRF on: the handle, the server
 * (bsky.social when blank) and an app password, encrypted and never shown again; anything that is
 * not an app password (the account's own password) is refused with the error summary and nothing
 * is stored.
 */
describe('a Bluesky account on the channel pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let bm: Browser;
  const appPassword = 'abcd-efgh-ijkl-mn23';
  const bodies: string[] = [];

  beforeAll(async () => {
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 2 });
    bm = new Browser(app);
    await bm.signIn(fx.staff.business_manager.email);
  });
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
  });

  it('is offered as a kind, asks for the handle and an app password, never the main password', async () => {
    const choose = await bm.get('/channels/new');
    expect(choose.body).toContain('Bluesky account');
    const form = await bm.get('/channels/new?kind=bluesky');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('The account’s handle');
    expect(form.body).toContain('App password');
    expect(form.body).toContain('Never enter the account’s own password');
    expect(form.body).not.toContain('Longest post, in characters');

    const count = () =>
      scalar(ctx, "SELECT count(*) AS n FROM channel_accounts WHERE kind = 'bluesky'");
    const values = formValues(form.body, '/channels');
    const base = {
      ...values,
      name: 'Oakfield on Bluesky',
      purposeKey: 'school_social_media',
      audience: 'public',
      comments: 'off',
    };
    const bad = await bm.post('/channels', {
      ...base,
      handle: 'not a handle',
      credential: 'MyMainPassword!2026',
    });
    bodies.push(bad.body);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('Enter the handle as Bluesky shows it');
    expect(bad.body).toContain('That is not an app password');
    expect(bad.body).not.toContain('MyMainPassword!2026');
    expect(await count()).toBe(0);

    const ok = await bm.post('/channels', {
      ...base,
      handle: '@OakfieldPrimary.bsky.social',
      credential: appPassword,
    });
    expect(ok.statusCode).toBe(303);
    const id = /^\/channels\/([0-9a-f-]{36})$/.exec(String(ok.headers.location))![1]!;
    const page = await bm.get(`/channels/${id}`);
    bodies.push(page.body);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('oakfieldprimary.bsky.social');
    expect(page.body).toContain('300 characters');
    expect(page.body).toContain('Replace the app password');

    // Replacing it: only another app password is taken.
    const wrong = await bm.post(
      `/channels/${id}/credential`,
      { credential: 'MyMainPassword!2026', confirm: 'yes' },
      { csrfFrom: `/channels/${id}` },
    );
    bodies.push(wrong.body);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('That is not an app password');

    const row = (
      await ctx.services.database.pool.query(
        'SELECT handle, endpoint_url, max_length, max_images, credential_ciphertext FROM channel_accounts WHERE id = $1',
        [id],
      )
    ).rows[0];
    expect(row).toMatchObject({
      handle: 'oakfieldprimary.bsky.social',
      endpoint_url: 'https://bsky.social',
      max_length: 300,
      max_images: 4,
    });
    // Sealed at rest: the app password is not in the row, and opens to itself.
    expect(String(row.credential_ciphertext)).not.toContain(appPassword);
    expect(ctx.services.secretBox.open(row.credential_ciphertext)).toBe(appPassword);
    for (const b of bodies) expect(b).not.toContain(appPassword);
  });
});
