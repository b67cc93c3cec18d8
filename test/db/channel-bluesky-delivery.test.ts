import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import {
  approvedCamera,
  asStaff,
  oneFace,
  photoOfPupil,
  texturedJpeg,
} from '../support/publishing.ts';
import type { Services } from '../../src/container.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import { recordConsent } from '../support/publishing-seed.ts';
import { startBluesky, type BlueskyAccount, type BlueskyServers } from '../channels/bluesky.ts';

/**
 * A post delivered to a real Bluesky PDS through the outbox (issue 13): the registered Bluesky
 * adapter, the account's sealed app password opened for the call, the publishable rendition
 * uploaded with its alt text; then a worker that crashed after Bluesky had the post but before
 * the local record: the next delivery finds it and records it, and Bluesky has it once.
 */
describe('delivery to Bluesky through the outbox (real PDS, real PostgreSQL)', () => {
  let ctx: TestContext;
  let s: Services;
  let fx: SchoolFixture;
  let servers: BlueskyServers;
  let account: BlueskyAccount;
  let accountId: string;
  let mediaId: string;

  const publication = async (id: string) =>
    (
      await s.database.pool.query(
        'SELECT state, attempts, last_error, remote_id FROM publications WHERE id = $1',
        [id],
      )
    ).rows[0] as { state: string; attempts: number; last_error: string | null; remote_id: string };

  const published = async (title: string) => {
    const teacher = asStaff(fx, 'teacher');
    const post = await s.posts.createDraft(teacher, {
      title,
      body: 'Our team won the cup.',
      eventLabel: null,
      kind: 'standard',
      media: [{ mediaId, altText: 'The team with the cup' }],
      accountIds: [accountId],
      scheduledAt: null,
    });
    await s.posts.submit(teacher, post.id);
    await s.posts.approve(asStaff(fx, 'headteacher'), post.id);
    const r = await s.publishing.publish(fx.school.id, post.id, { kind: 'system', id: null });
    if (!r.published) throw new Error(r.reason);
    return r.publicationIds[0]!;
  };

  beforeAll(async () => {
    servers = await startBluesky(inject('dbAdminUrl'));
    account = await servers.createAccount('cupschool');
    const { password } = await account.newAppPassword('Lanyard');
    ctx = await createTestServices({ faces: oneFace });
    s = ctx.services;
    fx = await createSchool(s, { pupils: 3 });
    await grantConsentForAll(s, fx);
    const camera = await approvedCamera(s, fx);
    mediaId = await photoOfPupil(s, fx, camera, fx.pupils[0]!.id, await texturedJpeg(ctx.platform));
    const news = await s.posts.newsAccount(fx.school.id);
    const { rows } = await s.database.pool.query<{ id: string }>(
      `INSERT INTO channel_accounts
         (school_id, kind, name, purpose_key, handle, endpoint_url, credential_ciphertext, max_length, max_images)
       VALUES ($1, 'bluesky', 'Cup school on Bluesky', $2, $3, $4, $5, 300, 4) RETURNING id`,
      [fx.school.id, news.purposeKey, account.handle, servers.pdsUrl, s.secretBox.seal(password)],
    );
    accountId = rows[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
    await servers?.stop();
  });

  it('delivers the post with its photo and alt text, and after a crash finds it instead of posting twice', async () => {
    const id = await published('Cup final');
    expect(await s.publishing.deliver(id)).toBe('live');
    const row = await publication(id);
    expect(row.remote_id).toMatch(new RegExp(`^at://${account.did}/app\\.bsky\\.feed\\.post/`));
    const posts = await account.posts();
    expect(posts).toHaveLength(1);
    const value = posts[0]!.value as {
      text: string;
      embed: { images: { alt: string }[] };
    };
    expect(value.text).toContain('Our team won the cup.');
    expect(value.embed.images.map((i) => i.alt)).toEqual(['The team with the cup']);

    // The crash: Bluesky has the post, the publication was never marked live.
    await s.database.pool.query(
      `UPDATE publications SET state = 'delivering', remote_id = NULL, remote_url = NULL,
         next_attempt_at = now() - interval '1 minute' WHERE id = $1`,
      [id],
    );
    expect(await s.publishing.deliver(id)).toBe('live');
    expect((await publication(id)).remote_id).toBe(row.remote_id);
    expect(await account.posts()).toHaveLength(1);
  });

  it('takes the post down when the pupil’s consent is withdrawn: the record is deleted on Bluesky', async () => {
    const id = await published('Sports day');
    expect(await s.publishing.deliver(id)).toBe('live');
    const { remote_id } = await publication(id);
    expect((await account.posts()).map((p) => p.uri)).toContain(remote_id);
    await s.takedowns.processEvents(); // earlier events are not part of this
    const settings = await s.consent.settings(fx.school.id);
    const channelPurpose = (await s.posts.newsAccount(fx.school.id)).purposeKey;
    const keys = consentKeysFor(settings).filter((k) => k.startsWith(`${channelPurpose}/`));
    await recordConsent(
      s,
      fx.school.id,
      fx.pupils[0]!.id,
      Object.fromEntries(keys.map((k) => [k, 'refused' as const])),
    );
    await s.takedowns.processEvents();
    expect(await s.takedowns.runAutomatic()).toBeGreaterThanOrEqual(1);
    expect((await publication(id)).state).toBe('removed');
    expect((await account.posts()).map((p) => p.uri)).not.toContain(remote_id);
  });
});
