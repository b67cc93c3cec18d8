import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { buildTestApp } from '../support/http.ts';
import { Browser } from '../support/http-principals.ts';
import { startWordPress, type WordPressSite } from '../channels/wordpress.ts';
import { startBluesky, type BlueskyAccount, type BlueskyServers } from '../channels/bluesky.ts';
import type { ChannelInput } from '../../src/modules/publishing/accounts/accounts.forms.ts';

/**
 * A channel's page shows whether Lanyard can reach it (the adapter's `health`), against a real
 * WordPress (test/channels/install-wordpress.sh): connected, a revoked application password in
 * plain words, a site that is down, and the page never waiting more than about 2 seconds.
 */
describe('a channel’s connection on its page (real WordPress)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let bm: Browser;
  let teacher: Browser;
  let wp: WordPressSite | undefined;
  let startError: unknown = null;

  const manager = () => ({
    kind: 'staff' as const,
    id: fx.staff.business_manager.id,
    schoolId: fx.school.id,
    roles: ['business_manager' as const],
    name: 'BM',
  });
  const addSite = async (name: string, password: string) =>
    (
      await ctx.services.channelAccounts.create(manager(), {
        kind: 'wordpress',
        name,
        platform: null,
        handle: wp!.username,
        purposeKey: 'school_social_media',
        audience: 'public',
        comments: 'off',
        moderation: null,
        custodianId: null,
        endpointUrl: wp!.url,
        credential: password,
        category: wp!.category,
        maxLength: null,
        maxImages: null,
      } satisfies ChannelInput)
    ).channel.id;
  const connectionRow = (body: string) =>
    /Connection\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*([^<]*)</
      .exec(body)?.[1]
      ?.trim();

  beforeAll(async () => {
    try {
      wp = await startWordPress();
    } catch (e) {
      startError = e;
    }
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 1 });
    bm = new Browser(app);
    teacher = new Browser(app);
    await Promise.all([
      bm.signIn(fx.staff.business_manager.email),
      teacher.signIn(fx.staff.teacher.email),
    ]);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await wp?.stop();
  });

  const requireWordPress = () => {
    if (startError)
      throw new Error(
        `These tests need a real WordPress and it could not be started: ${(startError as Error).message}`,
      );
  };

  it('says connected, with when it was checked, to everyone who may see the channel', async () => {
    requireWordPress();
    const id = await addSite('School website', wp!.appPassword);
    const page = await bm.get(`/channels/${id}`);
    expect(page.statusCode).toBe(200);
    expect(connectionRow(page.body)).toMatch(/^Connected \(checked \d{1,2} \w+ \d{4} at /);
    expect(connectionRow((await teacher.get(`/channels/${id}`)).body)).toMatch(/^Connected/);
    // The news page needs no connection: no row.
    const news = (await ctx.services.channelAccounts.ensureNewsChannel(fx.school.id)).id;
    expect(connectionRow((await bm.get(`/channels/${news}`)).body)).toBeUndefined();
  });

  it('names a revoked application password plainly; a new one is checked at once', async () => {
    requireWordPress();
    const spare = await wp!.newAppPassword();
    const id = await addSite('Revoked site', spare.password);
    await wp!.revoke(spare.uuid);
    const page = await bm.get(`/channels/${id}`);
    const row = connectionRow(page.body)!;
    expect(row).toMatch(/^Not reachable: /);
    expect(row).toContain('refused the application password for the WordPress user');
    const fresh = await wp!.newAppPassword();
    await ctx.services.channelAccounts.setCredential(manager(), id, fresh.password);
    expect(connectionRow((await bm.get(`/channels/${id}`)).body)).toMatch(/^Connected/);
  });

  it('a site that is down: the page still answers within about 2 seconds and says so', async () => {
    requireWordPress();
    const id = await addSite('Site going down', wp!.appPassword);
    await wp!.stopServer();
    try {
      const started = Date.now();
      const page = await bm.get(`/channels/${id}`);
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(page.statusCode).toBe(200);
      expect(connectionRow(page.body)).toMatch(/^Not reachable: /);
    } finally {
      await wp!.startServer();
    }
  });
});

/** The same against a real Bluesky PDS (test/channels/install-bluesky.sh). */
describe('a Bluesky account’s connection on its page (real PDS)', () => {
  let ctx: TestContext;
  let app: FastifyInstance;
  let fx: SchoolFixture;
  let bm: Browser;
  let servers: BlueskyServers | undefined;
  let account: BlueskyAccount;
  let startError: unknown = null;

  const addAccount = async (name: string, password: string) =>
    (
      await ctx.services.channelAccounts.create(
        {
          kind: 'staff',
          id: fx.staff.business_manager.id,
          schoolId: fx.school.id,
          roles: ['business_manager'],
          name: 'BM',
        },
        {
          kind: 'bluesky',
          name,
          platform: null,
          handle: account.handle,
          purposeKey: 'school_social_media',
          audience: 'public',
          comments: 'off',
          moderation: null,
          custodianId: null,
          endpointUrl: servers!.pdsUrl,
          credential: password,
          maxLength: 300,
          maxImages: 4,
        },
      )
    ).channel.id;
  const connectionRow = (body: string) =>
    /Connection\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*([^<]*)</
      .exec(body)?.[1]
      ?.trim();

  beforeAll(async () => {
    try {
      servers = await startBluesky(inject('dbAdminUrl'));
      account = await servers.createAccount('health');
    } catch (e) {
      startError = e;
    }
    ctx = await createTestServices();
    app = await buildTestApp(ctx);
    fx = await createSchool(ctx.services, { pupils: 1 });
    bm = new Browser(app);
    await bm.signIn(fx.staff.business_manager.email);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await ctx?.close();
    await servers?.stop();
  });

  it('connected with an app password; a revoked one named plainly', async () => {
    if (startError)
      throw new Error(
        `These tests need a real Bluesky PDS and it could not be started: ${(startError as Error).message}`,
      );
    const good = await account.newAppPassword('Lanyard');
    const id = await addAccount('School Bluesky', good.password);
    expect(connectionRow((await bm.get(`/channels/${id}`)).body)).toMatch(/^Connected \(checked/);
    const spare = await account.newAppPassword('Spare');
    await account.revokeAppPassword(spare.name);
    const revoked = await addAccount('Revoked Bluesky', spare.password);
    const row = connectionRow((await bm.get(`/channels/${revoked}`)).body)!;
    expect(row).toMatch(/^Not reachable: /);
    expect(row).toMatch(/refused the app password for health-.*It may have been revoked/);
  });
});
