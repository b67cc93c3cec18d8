import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import {
  approvedCamera,
  asStaff,
  oneFace,
  photoOfPupil,
  texturedJpeg,
} from '../support/publishing.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import type { Services } from '../../src/container.ts';
import { DELIVERY_LEASE_MS } from '../../src/modules/publishing/posts/publish.service.ts';
import { startWordPress, type WordPressSite } from '../channels/wordpress.ts';

/**
 * The delivery job with the registered WordPress adapter and a real WordPress (issue 13): a
 * published post goes live on the site with its rendition; a worker that died between the remote
 * post and the record is reconciled by reading back, never posting twice; a revoked application
 * password fails the publication at once with a reason the author can act on.
 */
describe('delivery to a real WordPress through the outbox', () => {
  let ctx: TestContext;
  let s: Services;
  let fx: SchoolFixture;
  let wp: WordPressSite | null = null;
  let startError: Error | null = null;
  let accountId: string;
  let mediaId: string;
  const clock = fixedClock('2026-10-05T09:00:00Z');

  const publication = async (id: string) =>
    (
      await s.database.pool.query(
        'SELECT state, attempts, last_error, remote_id, remote_url FROM publications WHERE id = $1',
        [id],
      )
    ).rows[0] as {
      state: string;
      attempts: number;
      last_error: string | null;
      remote_id: string | null;
      remote_url: string | null;
    };

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

  const onSite = async (route: string, query: Record<string, string>) => {
    const url = new URL(wp!.url);
    url.searchParams.set('rest_route', route);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const auth = Buffer.from(`${wp!.username}:${wp!.appPassword}`).toString('base64');
    return (await fetch(url, { headers: { authorization: `Basic ${auth}` } })).json();
  };

  const requireWordPress = () => {
    if (startError)
      throw new Error(
        `These tests need a real WordPress and it could not be started: ${startError.message}`,
      );
  };

  beforeAll(async () => {
    try {
      wp = await startWordPress();
    } catch (e) {
      startError = e as Error;
      return;
    }
    ctx = await createTestServices({ clock, faces: oneFace });
    s = ctx.services;
    fx = await createSchool(s, { pupils: 3 });
    await grantConsentForAll(s, fx);
    const camera = await approvedCamera(s, fx);
    mediaId = await photoOfPupil(s, fx, camera, fx.pupils[0]!.id, await texturedJpeg(ctx.platform));
    const news = await s.posts.newsAccount(fx.school.id);
    const { rows } = await s.database.pool.query<{ id: string }>(
      `INSERT INTO channel_accounts
         (school_id, kind, name, purpose_key, endpoint_url, handle, category, credential_ciphertext)
       VALUES ($1, 'wordpress', 'School website', $2, $3, $4, $5, $6) RETURNING id`,
      [
        fx.school.id,
        news.purposeKey,
        wp.url,
        wp.username,
        wp.category,
        s.secretBox.seal(wp.appPassword),
      ],
    );
    accountId = rows[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
    await wp?.stop();
  });

  it('goes live on the site with the rendition and its alt text, in the category', async () => {
    requireWordPress();
    const id = await published('Cup final');
    expect(await s.publishing.deliver(id)).toBe('live');
    const row = await publication(id);
    expect(row.remote_id).toMatch(/^\d+$/);
    expect(row.remote_url).toContain(wp!.url);
    const post = (await onSite(`/wp/v2/posts/${row.remote_id}`, { context: 'edit' })) as {
      status: string;
      title: { raw: string };
      categories: number[];
    };
    expect(post).toMatchObject({ status: 'publish', title: { raw: 'Cup final' } });
    expect(post.categories).toEqual([wp!.categoryId]);
    const media = (await onSite('/wp/v2/media', { parent: row.remote_id! })) as {
      alt_text: string;
    }[];
    expect(media.map((m) => m.alt_text)).toEqual(['The team with the cup']);
  });

  it('after a crash between the remote post and the record, reads back and never posts twice', async () => {
    requireWordPress();
    const id = await published('Sports day');
    await s.publishing.deliver(id);
    const first = (await publication(id)).remote_id;
    await s.database.pool.query(
      `UPDATE publications SET state = 'delivering', remote_id = NULL, remote_url = NULL,
         next_attempt_at = $2 WHERE id = $1`,
      [id, new Date(clock.now().getTime() + DELIVERY_LEASE_MS)],
    );
    clock.set(new Date(clock.now().getTime() + DELIVERY_LEASE_MS));
    expect(await s.publishing.deliver(id)).toBe('live');
    expect((await publication(id)).remote_id).toBe(first);
    const all = (await onSite('/wp/v2/posts', {
      search: 'Sports day',
      status: 'any',
    })) as unknown[];
    expect(all).toHaveLength(1);
  });

  it('a revoked application password fails the publication at once, saying what to do', async () => {
    requireWordPress();
    const spare = await wp!.newAppPassword();
    await s.database.pool.query(
      'UPDATE channel_accounts SET credential_ciphertext = $2 WHERE id = $1',
      [accountId, s.secretBox.seal(spare.password)],
    );
    await wp!.revoke(spare.uuid);
    const id = await published('Harvest festival');
    expect(await s.publishing.deliver(id)).toBe('failed');
    const row = await publication(id);
    expect(row.attempts).toBe(1);
    expect(row.last_error).toContain('refused the application password for the WordPress user');
    expect(row.last_error).toContain('enter it on the channel’s page');
    expect(row.last_error).not.toContain(spare.password);
  });
});
