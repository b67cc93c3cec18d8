import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
import {
  ChannelError,
  type ChannelAdapter,
  type OutgoingPost,
  type RemoteRef,
} from '../../src/modules/publishing/channel-adapter.ts';
import {
  DELIVERY_LEASE_MS,
  MAX_DELIVERY_ATTEMPTS,
} from '../../src/modules/publishing/posts/publish.service.ts';

/** A channel that keeps what it was sent, by idempotency key, and can be told to fail. */
class FakeChannel implements ChannelAdapter {
  readonly kind = 'webhook' as const;
  posted = new Map<string, { item: OutgoingPost; remote: RemoteRef }>();
  publishCalls = 0;
  failWith: ChannelError | null = null;
  async publish(item: OutgoingPost): Promise<RemoteRef> {
    this.publishCalls++;
    if (this.failWith) throw this.failWith;
    const remote = {
      remoteId: `remote-${this.posted.size + 1}`,
      remoteUrl: 'https://example.test/p',
    };
    this.posted.set(item.idempotencyKey, { item, remote });
    return remote;
  }
  async remove(): Promise<void> {}
  async health() {
    return { ok: true };
  }
  async find(key: string): Promise<RemoteRef | null> {
    return this.posted.get(key)?.remote ?? null;
  }
}

/** Delivery through the outbox (issue 12 item 6), with a fake channel and real PostgreSQL. */
describe('publishing outbox (real PostgreSQL)', () => {
  let ctx: TestContext;
  let s: Services;
  let fx: SchoolFixture;
  let accountId: string;
  let mediaId: string;
  const channel = new FakeChannel();
  const clock = fixedClock('2026-10-05T09:00:00Z');

  const publication = async (id: string) =>
    (
      await s.database.pool.query(
        'SELECT state, attempts, next_attempt_at, last_error, remote_id FROM publications WHERE id = $1',
        [id],
      )
    ).rows[0] as {
      state: string;
      attempts: number;
      next_attempt_at: Date | null;
      last_error: string | null;
      remote_id: string | null;
    };

  /** An approved, published post to the fake channel; returns its publication's id. */
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
    ctx = await createTestServices({ clock, faces: oneFace });
    s = ctx.services;
    fx = await createSchool(s, { pupils: 3 });
    await grantConsentForAll(s, fx);
    const camera = await approvedCamera(s, fx);
    mediaId = await photoOfPupil(s, fx, camera, fx.pupils[0]!.id, await texturedJpeg(ctx.platform));
    const news = await s.posts.newsAccount(fx.school.id);
    const { rows } = await s.database.pool.query<{ id: string }>(
      `INSERT INTO channel_accounts (school_id, kind, name, purpose_key, endpoint_url)
       VALUES ($1, 'webhook', 'Parents’ app', $2, 'https://example.test/hook') RETURNING id`,
      [fx.school.id, news.purposeKey],
    );
    accountId = rows[0]!.id;
    s.channelAdapters.register(channel);
  });
  beforeEach(() => {
    channel.failWith = null;
    clock.set('2026-10-05T09:00:00Z');
  });
  afterAll(async () => ctx?.close());

  it('delivers once with the idempotency key, the copies and their SHA-256', async () => {
    const id = await published('Cup final');
    expect(await publication(id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await s.publishing.deliver(id)).toBe('live');
    const row = await publication(id);
    expect(row).toMatchObject({
      state: 'live',
      attempts: 1,
      remote_id: expect.stringMatching(/^remote-/),
    });
    const sent = [...channel.posted.values()].find((p) => p.item.publicationId === id)!.item;
    expect(sent.idempotencyKey).toMatch(/^[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    expect(sent.images).toHaveLength(1);
    expect(sent.images[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(sent.text).toBe('Our team won the cup.');
    // Running again sends nothing.
    const calls = channel.publishCalls;
    expect(await s.publishing.deliver(id)).toBe('live');
    expect(channel.publishCalls).toBe(calls);
  });

  it('retries with back-off, then fails with a plain reason the author is told', async () => {
    const id = await published('Choir');
    channel.failWith = new ChannelError('unreachable', 'The parents’ app could not be reached.');
    const waits: number[] = [];
    for (let attempt = 1; attempt <= MAX_DELIVERY_ATTEMPTS; attempt++) {
      const state = await s.publishing.deliver(id);
      const row = await publication(id);
      expect(row.attempts).toBe(attempt);
      expect(row.last_error).toBe('The parents’ app could not be reached.');
      if (attempt < MAX_DELIVERY_ATTEMPTS) {
        expect(state).toBe('queued');
        waits.push(row.next_attempt_at!.getTime() - clock.now().getTime());
        // Not due yet: nothing is sent.
        const calls = channel.publishCalls;
        expect(await s.publishing.deliver(id)).toBe('queued');
        expect(channel.publishCalls).toBe(calls);
        clock.set(row.next_attempt_at!);
      } else {
        expect(state).toBe('failed');
        expect(row.next_attempt_at).toBeNull();
      }
    }
    // Each wait is twice the one before (30 seconds, 1, 2, 4, 8 minutes).
    expect(waits).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    const view = await s.posts.view(asStaff(fx, 'teacher'), await postOf(id));
    expect(view.publications[0]!.publication).toMatchObject({
      state: 'failed',
      lastError: 'The parents’ app could not be reached.',
    });
    // Tried again by hand, it goes through.
    channel.failWith = null;
    await s.publishing.retry(asStaff(fx, 'teacher'), id);
    expect(await s.publishing.deliver(id)).toBe('live');
  });

  it('fails at once when the channel refuses the credentials, and waits as long as a rate limit says', async () => {
    const refused = await published('Harvest');
    channel.failWith = new ChannelError(
      'rejected_credentials',
      'The parents’ app refused Lanyard’s token. Enter a new one.',
    );
    expect(await s.publishing.deliver(refused)).toBe('failed');
    const limited = await published('Fair');
    channel.failWith = new ChannelError('rate_limited', 'The parents’ app is busy.', 600);
    expect(await s.publishing.deliver(limited)).toBe('queued');
    const row = await publication(limited);
    expect(row.next_attempt_at!.getTime() - clock.now().getTime()).toBe(600_000);
  });

  it('after a crash between sending and recording, reads back and never posts twice', async () => {
    const id = await published('Sports day');
    // The send reached the channel, then the process died before recording it: the lease
    // ('delivering', taken by a worker that is gone) is all that is left.
    await s.publishing.deliver(id);
    await s.database.pool.query(
      `UPDATE publications SET state = 'delivering', remote_id = NULL, next_attempt_at = $2 WHERE id = $1`,
      [id, new Date(clock.now().getTime() + DELIVERY_LEASE_MS)],
    );
    const calls = channel.publishCalls;
    // While the lease runs, another worker leaves it alone.
    expect(await s.publishing.deliver(id)).toBe('delivering');
    clock.set(new Date(clock.now().getTime() + DELIVERY_LEASE_MS));
    expect(await s.publishing.deliver(id)).toBe('live');
    expect(channel.publishCalls).toBe(calls);
    expect((await publication(id)).remote_id).toMatch(/^remote-/);
    // The sweep job finds nothing more to do.
    expect(await s.publishing.deliverDue()).toBe(0);
  });

  async function postOf(publicationId: string): Promise<string> {
    const { rows } = await s.database.pool.query<{ post_id: string }>(
      'SELECT post_id FROM publications WHERE id = $1',
      [publicationId],
    );
    return rows[0]!.post_id;
  }
});
