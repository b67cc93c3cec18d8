import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser, formValues, scalar } from '../support/http-principals.ts';

/**
 * Adding a WordPress site on the channel pages (issue 13), CSRF on: the site's address, the
 * WordPress user, an application password (encrypted, never shown again) and the category;
 * anything that is not an application password (the user's own password) is refused with the
 * error summary and nothing is stored. The delivery job finds the WordPress adapter by kind.
 */
describe('a WordPress site on the channel pages', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let bm: Browser;
  const appPassword = 'Qw7p Zr2K m9Xt 4bLd Hs6V n3Jc';
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

  it('is offered as a kind and asks for the site, user, application password and category', async () => {
    expect(ctx.services.channelAdapters.get('wordpress')?.kind).toBe('wordpress');
    const choose = await bm.get('/channels/new');
    expect(choose.body).toContain('WordPress website');
    const form = await bm.get('/channels/new?kind=wordpress');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('The site’s address');
    expect(form.body).toContain('WordPress user name');
    expect(form.body).toContain('Application password');
    expect(form.body).toContain('Category');
    expect(form.body).toContain('Never enter the user’s own password');

    const count = () =>
      scalar(ctx, "SELECT count(*) AS n FROM channel_accounts WHERE kind = 'wordpress'");
    const values = formValues(form.body, '/channels');
    const base = {
      ...values,
      name: 'School website',
      // The school's own website purpose where its profile has one, else the first offered.
      purposeKey: form.body.includes('value="school_website"')
        ? 'school_website'
        : /name="purposeKey" type="radio" value="([^"]+)"/.exec(form.body)![1]!,
      audience: 'public',
      comments: 'off',
    };
    const bad = await bm.post('/channels', { ...base, credential: 'MyOwnPassword!2026' });
    bodies.push(bad.body);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('Enter the address of the school’s WordPress site');
    expect(bad.body).toContain('Enter the WordPress user name Lanyard posts as');
    expect(bad.body).toContain('Enter the category posts go in');
    expect(bad.body).toContain('Enter the application password exactly as WordPress showed it');
    expect(bad.body).not.toContain('MyOwnPassword!2026');
    const plain = await bm.post('/channels', {
      ...base,
      endpointUrl: 'http://oakfield.example',
      handle: 'lanyard',
      category: 'School news',
      credential: appPassword,
    });
    bodies.push(plain.body);
    expect(plain.statusCode).toBe(400);
    expect(plain.body).toContain('The address must start with https://');
    expect(await count()).toBe(0);

    const ok = await bm.post('/channels', {
      ...base,
      endpointUrl: 'https://oakfield.example',
      handle: 'lanyard',
      category: 'School news',
      credential: appPassword,
    });
    expect(ok.statusCode).toBe(303);
    const id = /^\/channels\/([0-9a-f-]{36})$/.exec(String(ok.headers.location))![1]!;
    const page = await bm.get(`/channels/${id}`);
    bodies.push(page.body);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('School website');

    const row = (
      await ctx.services.database.pool.query(
        'SELECT handle, endpoint_url, category, credential_ciphertext FROM channel_accounts WHERE id = $1',
        [id],
      )
    ).rows[0];
    expect(row).toMatchObject({
      handle: 'lanyard',
      endpoint_url: 'https://oakfield.example',
      category: 'School news',
    });
    // Sealed at rest without the spaces WordPress shows; never on a page.
    expect(String(row.credential_ciphertext)).not.toContain('Qw7p');
    expect(ctx.services.secretBox.open(row.credential_ciphertext)).toBe('Qw7pZr2Km9Xt4bLdHs6Vn3Jc');
    for (const b of bodies) {
      expect(b).not.toContain(appPassword);
      expect(b).not.toContain('Qw7pZr2Km9Xt4bLdHs6Vn3Jc');
    }
    const context = await ctx.services.channelAccounts.channelContext(
      fx.school.id,
      id,
      ctx.platform.files,
    );
    expect(context.account).toMatchObject({ kind: 'wordpress', category: 'School news' });
  });
});
