import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, type SchoolFixture } from '../support/factories.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import type { Principal, StaffPrincipal, StaffRole } from '../../src/modules/auth/principal.ts';
import type { ChannelInput } from '../../src/modules/publishing/accounts/accounts.forms.ts';
import { ChannelError } from '../../src/modules/publishing/channel-adapter.ts';
import { wireAccounts } from '../../src/modules/publishing/accounts/index.ts';
import { seedDemoChannels } from '../../src/modules/publishing/accounts/demo-channels.ts';
import type { AccountsService } from '../../src/modules/publishing/accounts/accounts.service.ts';
import {
  newWebhookSecret,
  verifyWebhook,
} from '../../src/modules/publishing/accounts/standard-webhooks.ts';

describe('the school’s channels and accounts (real PostgreSQL)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let other: SchoolFixture;

  const as = (f: SchoolFixture, role: StaffRole): Principal => ({
    kind: 'staff',
    id: f.staff[role].id,
    schoolId: f.school.id,
    roles: [role],
    name: role,
  });
  const social = (over: Partial<ChannelInput> = {}): ChannelInput => ({
    kind: 'social',
    name: 'School Facebook page',
    platform: 'Facebook',
    handle: '@oakfield',
    purposeKey: 'school_social_media',
    audience: 'public',
    comments: 'on_moderated',
    moderation: 'The office checks comments every morning',
    custodianId: null,
    endpointUrl: null,
    credential: null,
    maxLength: null,
    maxImages: null,
    ...over,
  });
  // Wired exactly as publishing.module.ts wires it, from the real services.
  let service: AccountsService;
  const accounts = () => service;
  const auditCount = async (action: string, schoolId = fx.school.id) =>
    (await ctx.services.audit.listForSchool(schoolId, { action }, 1)).total;
  const rawRow = async (id: string) =>
    (
      await ctx.services.database.pool.query<{ row: string }>(
        'SELECT c::text AS row FROM channel_accounts c WHERE id = $1',
        [id],
      )
    ).rows[0]!.row;

  beforeAll(async () => {
    ctx = await createTestServices();
    service = wireAccounts(ctx.services).channelAccounts;
    [fx, other] = await Promise.all([
      createSchool(ctx.services, { pupils: 3 }),
      createSchool(ctx.services, { pupils: 3 }),
    ]);
  });
  afterAll(async () => ctx?.close());

  it('creates the built-in news page once, however many ask at the same time', async () => {
    const rows = await Promise.all(
      Array.from({ length: 8 }, () => accounts().ensureNewsChannel(fx.school.id)),
    );
    expect(new Set(rows.map((r) => r.id)).size).toBe(1);
    const news = rows[0]!;
    // The profile's purposes: this template names only social media, which is seen outside.
    expect(news).toMatchObject({ kind: 'news', audience: 'public', comments: 'off' });
    const purposes = await accounts().purposes(fx.school.id);
    expect(purposes.map((p) => p.key)).toContain(news.purposeKey);
    expect(news.custodianId).toBe(fx.staff.business_manager.id);
    const { channels } = await accounts().list(as(fx, 'teacher'));
    expect(channels.filter((c) => c.kind === 'news')).toHaveLength(1);
  });

  it('adds a social media account: profile purpose, default custodian, audited; managers only', async () => {
    for (const role of ['teacher', 'dpo', 'office', 'volunteer'] as const)
      await expect(accounts().create(as(fx, role), social())).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      accounts().create(as(fx, 'business_manager'), social({ purposeKey: 'not_a_purpose' })),
    ).rejects.toMatchObject({ fieldErrors: { purposeKey: 'Select what the channel is used for' } });

    const { channel, generatedSecret } = await accounts().create(
      as(fx, 'business_manager'),
      social(),
    );
    expect(generatedSecret).toBeNull();
    expect(channel).toMatchObject({
      kind: 'social',
      platform: 'Facebook',
      handle: '@oakfield',
      custodianId: fx.staff.business_manager.id,
      credentialCiphertext: null,
      // Facebook's own limits, as the school left them blank.
      maxLength: 63_206,
      maxImages: 10,
    });
    expect(await auditCount('publishing.channel-added')).toBe(1);
    // Another school sees nothing of it.
    await expect(accounts().detail(as(other, 'headteacher'), channel.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(
      (await accounts().list(as(other, 'headteacher'))).channels.map((c) => c.id),
    ).not.toContain(channel.id);
  });

  it('seals an API token at rest, never returns it, and opens it only for a delivery', async () => {
    const token = 'EAAB-a-very-secret-api-token-0123456789';
    const { channel } = await accounts().create(
      as(fx, 'headteacher'),
      social({ name: 'Instagram', platform: 'Instagram', handle: '@oak', credential: token }),
    );
    const row = await rawRow(channel.id);
    expect(row).not.toContain(token);
    expect(row).not.toContain('very-secret');
    expect(channel.credentialCiphertext).toMatch(/^v1\./);
    const { channels } = await accounts().list(as(fx, 'business_manager'));
    const view = channels.find((c) => c.id === channel.id)!;
    expect(view.credential).toMatchObject({ set: true, setByName: 'headteacher Tester' });
    expect(JSON.stringify(channels)).not.toContain(token);
    expect(
      JSON.stringify(await accounts().detail(as(fx, 'headteacher'), channel.id)),
    ).not.toContain(token);
    const context = await accounts().channelContext(fx.school.id, channel.id, ctx.services.files);
    expect(context.credential).toBe(token);
    // Neither the audit log nor any audit data holds it.
    const audit = await ctx.services.database.pool.query<{ t: string }>(
      "SELECT string_agg(data::text, ' ') AS t FROM audit_events WHERE school_id = $1",
      [fx.school.id],
    );
    expect(audit.rows[0]!.t).not.toContain(token);

    // Replacing it: the old one is gone.
    await accounts().setCredential(as(fx, 'business_manager'), channel.id, 'second-token-xyz');
    expect(
      (await accounts().channelContext(fx.school.id, channel.id, ctx.services.files)).credential,
    ).toBe('second-token-xyz');
    expect(await rawRow(channel.id)).not.toContain('second-token-xyz');
    expect(await auditCount('publishing.channel-credential-set')).toBe(1);
    await expect(
      accounts().setCredential(as(fx, 'teacher'), channel.id, 'x'),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('makes a webhook’s signing secret when none is given and checks the one given', async () => {
    const hook = (over: Partial<ChannelInput> = {}) =>
      social({
        kind: 'webhook',
        name: 'Parish website',
        platform: null,
        handle: null,
        comments: 'off',
        moderation: null,
        endpointUrl: 'https://parish.example/lanyard',
        ...over,
      });
    const made = await accounts().create(as(fx, 'business_manager'), hook());
    expect(made.generatedSecret).toMatch(/^whsec_/);
    expect(await rawRow(made.channel.id)).not.toContain(made.generatedSecret!.slice(6));
    expect(
      (await accounts().channelContext(fx.school.id, made.channel.id, ctx.services.files))
        .credential,
    ).toBe(made.generatedSecret);
    expect(made.channel.platform).toBeNull();

    await expect(
      accounts().create(as(fx, 'business_manager'), hook({ credential: 'hunter2' })),
    ).rejects.toMatchObject({ fieldErrors: { credential: expect.stringMatching(/whsec_/) } });
    await expect(
      accounts().create(
        as(fx, 'business_manager'),
        hook({ endpointUrl: 'http://parish.example/lanyard' }),
      ),
    ).rejects.toMatchObject({
      fieldErrors: { endpointUrl: 'The address must start with https://' },
    });
    const given = newWebhookSecret();
    const kept = await accounts().create(as(fx, 'business_manager'), hook({ credential: given }));
    expect(kept.generatedSecret).toBeNull();
    // Only managers see the address (it may carry the receiver's own key).
    const seen = (await accounts().list(as(fx, 'teacher'))).channels.find(
      (c) => c.id === kept.channel.id,
    )!;
    expect(seen.endpointUrl).toBeNull();
    expect((await accounts().detail(as(fx, 'teacher'), kept.channel.id)).endpointUrl).toBeNull();
    expect((await accounts().detail(as(fx, 'headteacher'), kept.channel.id)).endpointUrl).toBe(
      'https://parish.example/lanyard',
    );
  });

  it('keeps the list of people authorised to post', async () => {
    const { channel } = await accounts().create(as(fx, 'business_manager'), social({ name: 'X' }));
    const bm = as(fx, 'business_manager');
    expect(await accounts().addPoster(bm, channel.id, fx.staff.teacher.id)).toBe('teacher Tester');
    await expect(accounts().addPoster(bm, channel.id, fx.staff.teacher.id)).rejects.toBeInstanceOf(
      ValidationError,
    );
    // Someone of another school is not a choice.
    await expect(
      accounts().addPoster(bm, channel.id, other.staff.teacher.id),
    ).rejects.toBeInstanceOf(ValidationError);
    await accounts().addPoster(bm, channel.id, fx.staff.office.id);
    expect(await accounts().isAuthorisedPoster(fx.school.id, channel.id, fx.staff.teacher.id)).toBe(
      true,
    );
    expect(await accounts().accountsOfPoster(fx.school.id, fx.staff.office.id)).toEqual([
      channel.id,
    ]);
    await accounts().removePoster(bm, channel.id, fx.staff.teacher.id);
    await expect(
      accounts().removePoster(bm, channel.id, fx.staff.teacher.id),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await accounts().isAuthorisedPoster(fx.school.id, channel.id, fx.staff.teacher.id)).toBe(
      false,
    );
    const detail = await accounts().detail(as(fx, 'teacher'), channel.id);
    expect(detail.posterList.map((p) => p.name)).toEqual(['office Tester']);
    expect(await auditCount('publishing.channel-poster-added')).toBe(2);
    expect(await auditCount('publishing.channel-poster-removed')).toBe(1);
    await expect(
      accounts().addPoster(as(fx, 'teacher'), channel.id, fx.staff.teacher.id),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('stops using a closed account and uses it again, audited; the news page is always there', async () => {
    const { channel } = await accounts().create(
      as(fx, 'business_manager'),
      social({ name: 'Old' }),
    );
    const bm = as(fx, 'business_manager');
    await expect(accounts().setActive(as(fx, 'teacher'), channel.id, false)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await accounts().setActive(bm, channel.id, false);
    expect((await accounts().activeChannels(fx.school.id)).map((c) => c.id)).not.toContain(
      channel.id,
    );
    await expect(accounts().setActive(bm, channel.id, false)).rejects.toBeInstanceOf(ConflictError);
    await accounts().setActive(bm, channel.id, true);
    expect((await accounts().activeChannels(fx.school.id)).map((c) => c.id)).toContain(channel.id);
    const news = await accounts().ensureNewsChannel(fx.school.id);
    await expect(accounts().setActive(bm, news.id, false)).rejects.toBeInstanceOf(ConflictError);
    expect(await auditCount('publishing.channel-deactivated')).toBe(1);
    expect(await auditCount('publishing.channel-reactivated')).toBe(1);
  });

  it('logs credential hand-overs (from, to, when, why), audited; only the Headteacher goes outside the role', async () => {
    const { channel } = await accounts().create(as(fx, 'business_manager'), social({ name: 'YT' }));
    const bm = as(fx, 'business_manager');
    const head = as(fx, 'headteacher');
    // The Business Manager may not hand the credentials to a teacher on their own say-so.
    await expect(
      accounts().handOver(bm, channel.id, {
        toStaffId: fx.staff.teacher.id,
        reason: 'Cover',
        on: null,
      }),
    ).rejects.toMatchObject({
      fieldErrors: {
        toStaffId:
          'Only the Headteacher can let someone who is not the Business Manager keep the credentials',
      },
    });
    await expect(
      accounts().handOver(bm, channel.id, {
        toStaffId: fx.staff.business_manager.id,
        reason: 'Nothing',
        on: null,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      accounts().handOver(head, channel.id, {
        toStaffId: fx.staff.teacher.id,
        reason: 'x',
        on: '2999-01-01',
      }),
    ).rejects.toMatchObject({
      fieldErrors: { 'on-day': expect.stringMatching(/today or in the past/) },
    });

    await accounts().handOver(head, channel.id, {
      toStaffId: fx.staff.teacher.id,
      reason: 'Business Manager on leave until January',
      on: '2026-01-05',
    });
    await accounts().handOver(head, channel.id, {
      toStaffId: fx.staff.business_manager.id,
      reason: 'Back from leave',
      on: null,
    });
    const detail = await accounts().detail(as(fx, 'support_staff'), channel.id);
    expect(detail.custodianName).toBe('business manager Tester');
    expect(detail.handovers.map((h) => [h.fromName, h.toName, h.reason, h.recordedByName])).toEqual(
      [
        ['teacher Tester', 'business manager Tester', 'Back from leave', 'headteacher Tester'],
        [
          'business manager Tester',
          'teacher Tester',
          'Business Manager on leave until January',
          'headteacher Tester',
        ],
      ],
    );
    expect(detail.handovers[1]!.at.toISOString().slice(0, 10)).toBe('2026-01-05');
    const audit = await ctx.services.audit.listForSchool(
      fx.school.id,
      { action: 'publishing.credentials-handed-over' },
      1,
    );
    expect(audit.total).toBe(2);
    // Ids only in the audit data: the reason (free text) stays in the hand-over log.
    expect(JSON.stringify(audit)).not.toContain('on leave');
  });

  it('follows the profile: a different custodian role manages, the old one no longer does', async () => {
    const school = await createSchool(ctx.services, { pupils: 2 });
    await ctx.services.policies.updateSettings(
      school.school.id,
      { kind: 'staff', id: school.staff.headteacher.id },
      {
        answers: { 'roles.credentialCustodianRole': 'office' },
        note: 'The office keeps the passwords',
        expectedVersion: 1,
      },
    );
    await expect(
      accounts().create(as(school, 'business_manager'), social()),
    ).rejects.toBeInstanceOf(NotFoundError);
    const { channel } = await accounts().create(as(school, 'office'), social());
    expect(channel.custodianId).toBe(school.staff.office.id);
    expect((await accounts().custodianRule(school.school.id)).roleLabel).toBe('Office staff');
  });

  it('logs every webhook delivery attempt with its number, against a real receiver', async () => {
    const secret = newWebhookSecret();
    const answers = [503, 200];
    const seen: boolean[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(verifyWebhook(secret, req.headers, body, new Date()).ok);
        res.writeHead(answers.shift() ?? 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const { channel } = await accounts().create(
        as(fx, 'business_manager'),
        social({
          kind: 'webhook',
          name: 'Trust website',
          platform: null,
          handle: null,
          comments: 'off',
          moderation: null,
          endpointUrl: url,
          credential: secret,
        }),
      );
      const adapter = accounts().webhookAdapter({ timeoutMs: 2_000 });
      const context = await accounts().channelContext(fx.school.id, channel.id, ctx.services.files);
      const item = {
        publicationId: '00000000-0000-4000-8000-0000000000ab',
        idempotencyKey: 'key-1',
        title: 'Harvest festival',
        text: 'Thank you for the donations.',
        images: [],
        newsUrl: null,
        publishedAt: new Date(),
      };
      const e = await adapter.publish(item, context).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ChannelError);
      expect((e as ChannelError).kind).toBe('server');
      await adapter.publish(item, context);
      await adapter.remove(item.publicationId, context);
      expect(seen).toEqual([true, true, true]);
      const detail = await accounts().detail(as(fx, 'business_manager'), channel.id);
      expect(
        detail.deliveries
          .map((d) => [d.event, d.attempt, d.statusCode, d.error !== null])
          .sort((a, b) => String(a).localeCompare(String(b))),
      ).toEqual([
        ['publication.published', 1, 503, true],
        ['publication.published', 2, 200, false],
        ['publication.removed', 1, 204, false],
      ]);
      // The log holds neither the secret nor the post's text.
      const raw = await ctx.services.database.pool.query<{ t: string }>(
        "SELECT string_agg(d::text, ' ') AS t FROM webhook_deliveries d WHERE account_id = $1",
        [channel.id],
      );
      expect(raw.rows[0]!.t).not.toContain(secret.slice(6));
      expect(raw.rows[0]!.t).not.toContain('donations');
      // A publication that is not this school's is not linked.
      expect(detail.deliveries.every((d) => d.id)).toBe(true);
      // Teachers see the channel but not its deliveries.
      expect((await accounts().detail(as(fx, 'teacher'), channel.id)).deliveries).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the demo school’s channels', () => {
  it('are seeded through the service, with posters and a hand-over', async () => {
    const ctx = await createTestServices();
    try {
      const fx = await createSchool(ctx.services, { pupils: 2 });
      const service = wireAccounts(ctx.services).channelAccounts;
      const p = (role: StaffRole): StaffPrincipal => ({
        kind: 'staff',
        id: fx.staff[role].id,
        schoolId: fx.school.id,
        roles: [role],
        name: role,
      });
      const ids = await seedDemoChannels(service, {
        headteacher: p('headteacher'),
        custodian: p('business_manager'),
        posters: [fx.staff.teacher.id, fx.staff.office.id],
      });
      const { channels } = await service.list(p('teacher'));
      expect(channels.map((c) => c.name).sort()).toEqual([
        'Friday newsletter',
        'School Facebook page',
        'School Instagram',
        'School news page',
      ]);
      const facebook = await service.detail(p('teacher'), ids.facebook!);
      expect(facebook.posterList).toHaveLength(2);
      expect(facebook.handovers).toHaveLength(2);
      expect(facebook.custodianName).toBe('business manager Tester');
    } finally {
      await ctx.close();
    }
  });
});
