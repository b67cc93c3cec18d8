import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import { consentKeysFor } from '../../src/modules/consent/index.ts';
import {
  ChannelError,
  type ChannelAdapter,
  type ChannelAdapterRegistry,
} from '../../src/modules/publishing/channel-adapter.ts';
import {
  addChannel,
  addItem,
  addPost,
  addPublications,
  recordConsent,
} from '../support/publishing-seed.ts';
import { takedownFanoutMs } from '../bench/takedown-fanout.ts';
import { pdfText } from '../support/pdf-text.ts';
import { jsonReceipt } from '../../src/modules/consent/family/consent-receipts.ts';
import { consentReceiptPdf } from '../../src/modules/consent/family/consent-receipt.pdf.ts';

/**
 * Takedown (issue 12 item 10, 003 §4.7): consent.changed events become takedown tasks for every
 * item showing the pupil where the new decision no longer allows; automatic removal on the
 * channels Lanyard reaches, retried until done; a person's task elsewhere; nothing else changes.
 */

/** A webhook receiver that refuses the first `failures` removals, then accepts them. */
class FlakyRemover implements ChannelAdapter {
  readonly kind = 'webhook' as const;
  removed: string[] = [];
  constructor(public failures: number) {}
  async publish(): Promise<never> {
    throw new ChannelError('invalid', 'not in this test');
  }
  async remove(remoteId: string): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new ChannelError(
        'server',
        'The receiving system had a problem (HTTP 503). Lanyard will try again.',
      );
    }
    this.removed.push(remoteId);
  }
  async health() {
    return { ok: true };
  }
}

describe('takedown after a consent withdrawal', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;
  let keys: string[];
  let newsId: string;
  let socialId: string;
  let webhookId: string;
  let webhook: FlakyRemover;
  let adapters: ChannelAdapterRegistry;

  const pool = () => ctx.services.database.pool;
  const keysOf = (purpose: string) => keys.filter((k) => k.startsWith(`${purpose}/`));
  const refuse = (purpose: string) =>
    Object.fromEntries(keysOf(purpose).map((k) => [k, 'refused' as const]));
  const grant = (purpose: string) =>
    Object.fromEntries(keysOf(purpose).map((k) => [k, 'granted' as const]));
  const tasksOf = async (pupilId: string) =>
    (
      await pool().query<{
        id: string;
        publication_id: string;
        state: string;
        automatic: boolean;
        attempts: number;
        last_error: string | null;
        due_at: Date;
        created_at: Date;
        outcome: string | null;
      }>(`SELECT * FROM takedown_tasks WHERE pupil_id = $1 ORDER BY created_at, id`, [pupilId])
    ).rows;
  const stateOf = async (ids: string[]) =>
    (
      await pool().query<{ id: string; state: string }>(
        `SELECT id, state FROM publications WHERE id = ANY($1::uuid[])`,
        [ids],
      )
    ).rows.map((r) => r.state);

  beforeAll(async () => {
    ctx = await createTestServices();
    fx = await createSchool(ctx.services, { pupils: 8, template: 'the-avenue-primary' });
    await grantConsentForAll(ctx.services, fx);
    keys = consentKeysFor(await ctx.services.consent.settings(fx.school.id));
    newsId = await addChannel(ctx.services, fx.school.id, {
      kind: 'news',
      name: 'School news page',
      purposeKey: 'school_website',
    });
    socialId = await addChannel(ctx.services, fx.school.id, {
      kind: 'social',
      name: 'School Facebook page',
      platform: 'Facebook',
      handle: '@school',
      purposeKey: 'school_social_media',
      custodianId: fx.staff.business_manager.id,
    });
    webhookId = await addChannel(ctx.services, fx.school.id, {
      kind: 'webhook',
      name: 'Parish newsletter system',
      purposeKey: 'school_website',
      endpointUrl: 'https://receiver.example/hook',
    });
    webhook = new FlakyRemover(0);
    adapters = ctx.services.channelAdapters;
    adapters.register(webhook);
    await ctx.services.takedowns.processEvents();
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('fans out: a withdrawal for a pupil in 1,000 live items gives 1,000 tasks within 2 seconds, then the items come down', async () => {
    const { ms, tasks, publicationIds, pupilId } = await takedownFanoutMs(ctx.services, fx, {
      publications: 1_000,
      pupilIndex: 7,
    });
    console.log(`takedown_fanout_ms ${ms.toFixed(0)}`);
    expect(tasks).toBe(1_000);
    expect(ms).toBeLessThan(2_000);
    const removed = await ctx.services.takedowns.runAutomatic();
    expect(removed).toBe(1_000);
    expect(new Set(await stateOf(publicationIds))).toEqual(new Set(['removed']));
    const done = await tasksOf(pupilId);
    expect(done.every((t) => t.state === 'done' && t.outcome === 'removed')).toBe(true);
    // The news page no longer lists any of them.
    const news = await ctx.services.news.state((await ctx.services.news.school(fx.school.slug))!);
    expect(news.live).toBe(0);
  }, 60_000);

  it('is idempotent: each event is handled once, re-running (even with the event unhandled again) makes nothing twice', async () => {
    const pupil = fx.pupils[1]!;
    const postId = await addPost(
      ctx.services,
      fx.school.id,
      fx.staff.teacher.id,
      'Harvest',
      'Harvest festival.',
    );
    await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: socialId,
      purposeKey: 'school_social_media',
      pupilIds: [pupil.id],
      count: 3,
    });
    await recordConsent(ctx.services, fx.school.id, pupil.id, refuse('school_social_media'));
    // Two workers at once take different events or none: never the same one twice.
    const [a, b] = await Promise.all([
      ctx.services.takedowns.processEvents(),
      ctx.services.takedowns.processEvents(),
    ]);
    expect(a.tasks + b.tasks).toBe(3);
    expect((await ctx.services.takedowns.processEvents()).tasks).toBe(0);
    // A crash after the tasks but before the mark cannot happen (same transaction); even if the
    // cursor is lost, the unique key makes a re-run create nothing.
    await pool().query(
      `UPDATE domain_events SET handled_at = NULL WHERE type = 'consent.changed' AND payload->>'pupilId' = $1`,
      [pupil.id],
    );
    const again = await ctx.services.takedowns.processEvents();
    expect(again.events).toBeGreaterThan(0);
    expect(again.tasks).toBe(0);
    expect(await tasksOf(pupil.id)).toHaveLength(3);
  });

  it('takes down only what the new decision no longer allows; other channels give the custodian a task due in the profile’s days', async () => {
    const pupil = fx.pupils[2]!;
    const postId = await addPost(
      ctx.services,
      fx.school.id,
      fx.staff.teacher.id,
      'Trip',
      'Museum trip.',
    );
    const [onNews] = await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: newsId,
      purposeKey: 'school_website',
      pupilIds: [pupil.id],
    });
    const [onSocial] = await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: socialId,
      purposeKey: 'school_social_media',
      pupilIds: [pupil.id],
      remoteUrl: 'https://facebook.example/posts/1',
    });
    await recordConsent(ctx.services, fx.school.id, pupil.id, refuse('school_social_media'));
    const before = ctx.services.clock.now();
    await ctx.services.takedowns.run();
    const tasks = await tasksOf(pupil.id);
    expect(tasks.map((t) => t.publication_id)).toEqual([onSocial]);
    expect(tasks[0]!.automatic).toBe(false);
    expect(tasks[0]!.state).toBe('open');
    const days = (tasks[0]!.due_at.getTime() - before.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(1.9);
    expect(days).toBeLessThan(2.1);
    // The website item stays: its purpose is still allowed.
    expect(await stateOf([onNews!, onSocial!])).toEqual(expect.arrayContaining(['live', 'live']));

    // The business manager (custodian) sees it on their home page and marks it done with a note.
    const bm = {
      kind: 'staff' as const,
      id: fx.staff.business_manager.id,
      schoolId: fx.school.id,
      roles: ['business_manager' as const],
      name: 'BM',
    };
    const attention = await ctx.services.attention(bm);
    expect(attention.some((a) => a.href === `/posts/takedowns/${tasks[0]!.id}`)).toBe(true);
    await ctx.services.takedowns.markDone(bm, tasks[0]!.id, 'Deleted from the Facebook page.');
    const after = await tasksOf(pupil.id);
    expect(after[0]!.state).toBe('done');
    expect(await stateOf([onSocial!])).toEqual(['removed']);
    expect(await stateOf([onNews!])).toEqual(['live']);
    // A teacher who keeps no account cannot see the task.
    const teacher = { ...bm, id: fx.staff.teacher.id, roles: ['teacher' as const] };
    await expect(ctx.services.takedowns.task(teacher, tasks[0]!.id)).rejects.toThrow();
  });

  it('retries a failed automatic removal until it is done, and the failure stays visible meanwhile', async () => {
    const pupil = fx.pupils[3]!;
    const postId = await addPost(
      ctx.services,
      fx.school.id,
      fx.staff.teacher.id,
      'Choir',
      'Choir.',
    );
    const [pub] = await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: webhookId,
      purposeKey: 'school_website',
      pupilIds: [pupil.id],
    });
    webhook.failures = 2;
    await recordConsent(ctx.services, fx.school.id, pupil.id, refuse('school_website'));
    await ctx.services.takedowns.run();
    let [task] = await tasksOf(pupil.id);
    expect(task!.automatic).toBe(true);
    expect(task!.state).toBe('failed');
    expect(task!.attempts).toBe(1);
    expect(task!.last_error).toMatch(/HTTP 503/);
    expect(await stateOf([pub!])).toEqual(['removing']);
    // Shown to the Headteacher as failing.
    const head = {
      kind: 'staff' as const,
      id: fx.staff.headteacher.id,
      schoolId: fx.school.id,
      roles: ['headteacher' as const],
      name: 'Head',
    };
    expect((await ctx.services.takedowns.dueFor(head)).map((t) => t.id)).toContain(task!.id);
    // Not before its time...
    await ctx.services.takedowns.runAutomatic();
    expect((await tasksOf(pupil.id))[0]!.attempts).toBe(1);
    // ...then again (fails), and again (succeeds).
    for (let i = 0; i < 2; i++) {
      await pool().query(
        `UPDATE takedown_tasks SET next_attempt_at = now() - interval '1 second' WHERE id = $1`,
        [task!.id],
      );
      await ctx.services.takedowns.runAutomatic();
    }
    [task] = await tasksOf(pupil.id);
    expect(task!.state).toBe('done');
    expect(task!.attempts).toBe(2);
    expect(webhook.removed).toEqual(['remote-1']);
    expect(await stateOf([pub!])).toEqual(['removed']);
    expect((await ctx.services.takedowns.dueFor(head)).map((t) => t.id)).not.toContain(task!.id);
  });

  it('is not retroactive: nothing about earlier records changes but the items coming down', async () => {
    const pupil = fx.pupils[4]!;
    const other = fx.pupils[5]!;
    const postId = await addPost(
      ctx.services,
      fx.school.id,
      fx.staff.teacher.id,
      'Art',
      'Art week.',
    );
    const [both] = await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: newsId,
      purposeKey: 'school_website',
      pupilIds: [pupil.id, other.id],
    });
    const [othersOnly] = await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: newsId,
      purposeKey: 'school_website',
      pupilIds: [other.id],
    });
    const snapshot = async () => {
      const q = async (sql: string) =>
        JSON.stringify((await pool().query(sql, [fx.school.id])).rows);
      return {
        consent: await q(`SELECT * FROM consent_records WHERE school_id = $1 ORDER BY id`),
        pupils: await q(
          `SELECT * FROM publication_pupils WHERE school_id = $1 ORDER BY publication_id, pupil_id`,
        ),
        items: await q(
          `SELECT * FROM publication_items WHERE school_id = $1 ORDER BY publication_id, position`,
        ),
        posts: await q(`SELECT * FROM posts WHERE school_id = $1 ORDER BY id`),
        publications: await q(
          `SELECT id, post_id, account_id, purpose_key, title, text, published_at, approved_by, register_version
             FROM publications WHERE school_id = $1 ORDER BY id`,
        ),
        people: await q(`SELECT * FROM pupils WHERE school_id = $1 ORDER BY id`),
      };
    };
    const { recordId } = await recordConsent(
      ctx.services,
      fx.school.id,
      pupil.id,
      refuse('school_website'),
    );
    const before = await snapshot();
    await ctx.services.takedowns.run();
    const after = await snapshot();
    expect(after).toEqual(before);
    expect(await stateOf([both!])).toEqual(['removed']);
    expect(await stateOf([othersOnly!])).toEqual(['live']);
    // The records that were true then stay as they were: the withdrawal is one more record.
    const { rows } = await pool().query(
      `SELECT count(*)::int AS n FROM consent_records WHERE pupil_id = $1 AND id <> $2`,
      [pupil.id, recordId],
    );
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('a grant or a change to another purpose takes nothing down', async () => {
    const pupil = fx.pupils[6]!;
    const postId = await addPost(
      ctx.services,
      fx.school.id,
      fx.staff.teacher.id,
      'Fair',
      'Summer fair.',
    );
    const [pub] = await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: newsId,
      purposeKey: 'school_website',
      pupilIds: [pupil.id],
    });
    await recordConsent(ctx.services, fx.school.id, pupil.id, grant('school_website'), 'form');
    await recordConsent(ctx.services, fx.school.id, pupil.id, refuse('local_newspapers'));
    await ctx.services.takedowns.run();
    expect(await tasksOf(pupil.id)).toEqual([]);
    expect(await stateOf([pub!])).toEqual(['live']);
  });

  it('the parent’s withdrawal receipt says what will be taken down, before and after the job runs', async () => {
    const pupil = fx.pupils[0]!;
    const postId = await addPost(ctx.services, fx.school.id, fx.staff.teacher.id, 'Play', 'Play.');
    await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: newsId,
      purposeKey: 'school_website',
      pupilIds: [pupil.id],
      count: 2,
    });
    await addPublications(ctx.services, {
      schoolId: fx.school.id,
      postId,
      accountId: socialId,
      purposeKey: 'school_social_media',
      pupilIds: [pupil.id],
    });
    const register = await ctx.services.consent.pupilRegister(fx.school.id, pupil.id);
    const parent = register.parents.find((x) => x.parentalResponsibility)!;
    const { recordId } = await recordConsent(ctx.services, fx.school.id, pupil.id, {
      ...refuse('school_website'),
      ...refuse('school_social_media'),
    });
    const who = { kind: 'parent' as const, id: parent.id, schoolId: fx.school.id, name: 'P' };
    const expected = [
      { channel: 'School Facebook page', items: 1, automatic: false },
      { channel: 'School news page', items: 2, automatic: true },
    ];
    const before = await ctx.services.consentForm.receipt(who, recordId);
    expect(before.removals).toMatchObject(expected);
    expect(before.removals[0]!.dueAt).toBeInstanceOf(Date);
    await ctx.services.takedowns.run();
    const after = await ctx.services.consentForm.receipt(who, recordId);
    expect(after.removals).toMatchObject(expected);

    // The JSON and the PDF list the same removals as the page.
    const json = jsonReceipt(after);
    expect(json.removals).toEqual([
      expect.objectContaining({
        channel: 'School Facebook page',
        posts: 1,
        removedBy: 'the school',
        dueAt: after.removals[0]!.dueAt!.toISOString(),
      }),
      expect.objectContaining({
        channel: 'School news page',
        posts: 2,
        removedBy: 'Lanyard, straight away',
        dueAt: null,
        description: '2 posts on School news page: taken down straight away',
      }),
    ]);
    expect(json.removals[0]!.description).toMatch(
      /^1 post on School Facebook page: the school takes it down by \d{1,2} \w+ \d{4}$/,
    );
    const words = pdfText(await consentReceiptPdf(after, new Date()));
    expect(words).toContain('What will be taken down');
    expect(words).toContain('2 posts on School news page: taken down straight away');
    expect(words).toContain('1 post on School Facebook page: the school takes it down by');
    expect(words).toContain('Nothing else changes');
  });

  it('a receipt that refuses nothing lists no removals in its JSON or PDF', async () => {
    const pupil = fx.pupils[1]!;
    const register = await ctx.services.consent.pupilRegister(fx.school.id, pupil.id);
    const parent = register.parents.find((x) => x.parentalResponsibility)!;
    const { recordId } = await recordConsent(
      ctx.services,
      fx.school.id,
      pupil.id,
      { ...grant('school_website') },
      'form',
    );
    const who = { kind: 'parent' as const, id: parent.id, schoolId: fx.school.id, name: 'P' };
    const receipt = await ctx.services.consentForm.receipt(who, recordId);
    expect(jsonReceipt(receipt).removals).toEqual([]);
    expect(pdfText(await consentReceiptPdf(receipt, new Date()))).not.toContain(
      'What will be taken down',
    );
  });

  it('a withdrawal enqueues the takedown job in its own transaction', async () => {
    const pupil = fx.pupils[0]!;
    const { rows: before } = await pool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'publishing.takedowns'`,
    );
    await recordConsent(ctx.services, fx.school.id, pupil.id, refuse('class_photograph'));
    const { rows: after } = await pool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'publishing.takedowns'`,
    );
    expect(after[0]!.n).toBe(before[0]!.n + 1);
  });
});

describe('takedown that publishes the item again with the pupil blurred (when the profile allows)', () => {
  let ctx: TestContext;
  let fx: SchoolFixture;

  /** Two faces side by side in every photo. */
  const twoFaces = {
    detect: async ({ width, height }: { width: number; height: number }) => [
      {
        x: Math.round(width * 0.1),
        y: Math.round(height * 0.3),
        width: Math.round(width * 0.25),
        height: Math.round(height * 0.35),
        score: 0.99,
      },
      {
        x: Math.round(width * 0.6),
        y: Math.round(height * 0.3),
        width: Math.round(width * 0.25),
        height: Math.round(height * 0.35),
        score: 0.99,
      },
    ],
  };

  beforeAll(async () => {
    ctx = await createTestServices({ faces: twoFaces });
    fx = await createSchool(ctx.services, { pupils: 4, template: 'the-avenue-primary' });
    await grantConsentForAll(ctx.services, fx);
  }, 120_000);
  afterAll(async () => ctx?.close());

  it('takes the item down, publishes it again with only the withdrawn pupil blurred, and keeps the other pupil', async () => {
    const s = ctx.services;
    const head = { kind: 'staff' as const, id: fx.staff.headteacher.id };
    const current = await s.policies.current(fx.school.id);
    await s.policies.updateSettings(fx.school.id, head, {
      answers: { 'publishing.republishBlurredOnWithdrawal': 'yes' },
      note: 'Blur rather than remove',
      expectedVersion: current.version,
    });
    const teacher = { kind: 'staff' as const, id: fx.staff.teacher.id };
    const [a, b] = [fx.pupils[0]!, fx.pupils[1]!];
    const px = Buffer.alloc(320 * 240 * 3, 90);
    const jpeg = await ctx.platform.images.encodeJpeg({ data: px, width: 320, height: 240 });
    const [item] = await s.media.upload(
      fx.school.id,
      teacher,
      { deviceId: null, deviceDescription: 'camera', eventLabel: 'sports day', swimwear: false },
      [{ data: jpeg.data, filename: 'p.jpg' }],
      { queue: false },
    );
    await s.media.ingest(item!.id);
    await s.media
      .release(
        {
          kind: 'staff',
          id: fx.staff.headteacher.id,
          schoolId: fx.school.id,
          roles: ['headteacher'],
          name: 'Head',
        },
        item!.id,
      )
      .catch(() => undefined);
    const { faces } = await s.media.view(fx.school.id, item!.id);
    await s.media.linkFace(fx.school.id, teacher, item!.id, faces[0]!.id, a.id);
    await s.media.linkFace(fx.school.id, teacher, item!.id, faces[1]!.id, b.id);
    const rendition = await s.media.publishableRendition(
      fx.school.id,
      item!.id,
      'school_website',
      teacher,
    );
    const newsId = await addChannel(s, fx.school.id, {
      kind: 'news',
      name: 'School news page',
      purposeKey: 'school_website',
    });
    const postId = await addPost(s, fx.school.id, fx.staff.teacher.id, 'Sports day', 'Races.');
    const [pub] = await addPublications(s, {
      schoolId: fx.school.id,
      postId,
      accountId: newsId,
      purposeKey: 'school_website',
      pupilIds: [a.id, b.id],
    });
    await addItem(s, ctx.platform, {
      schoolId: fx.school.id,
      publicationId: pub!,
      mediaId: item!.id,
      renditionId: rendition.id,
      bytes: await ctx.platform.files.read(rendition.fileKey),
      altText: 'Two children racing',
    });
    const keys = consentKeysFor(await s.consent.settings(fx.school.id)).filter((k) =>
      k.startsWith('school_website/'),
    );
    await recordConsent(
      s,
      fx.school.id,
      a.id,
      Object.fromEntries(keys.map((k) => [k, 'refused' as const])),
    );
    await s.takedowns.run();
    const pool = s.database.pool;
    const { rows: pubs } = await pool.query<{ id: string; state: string }>(
      `SELECT id, state FROM publications WHERE post_id = $1 ORDER BY created_at`,
      [postId],
    );
    expect(pubs).toHaveLength(2);
    expect(pubs.find((p) => p.id === pub)!.state).toBe('removed');
    const again = pubs.find((p) => p.id !== pub)!;
    const { rows: tasks } = await pool.query(
      `SELECT state, outcome FROM takedown_tasks WHERE publication_id = $1`,
      [pub],
    );
    expect(tasks).toEqual([{ state: 'done', outcome: 'republished_blurred' }]);
    const { rows: shown } = await pool.query(
      `SELECT pupil_id FROM publication_pupils WHERE publication_id = $1`,
      [again.id],
    );
    expect(shown).toEqual([{ pupil_id: b.id }]);
    const { rows: items } = await pool.query<{ rendition_id: string }>(
      `SELECT rendition_id FROM publication_items WHERE publication_id = $1`,
      [again.id],
    );
    const { rows: basis } = await pool.query<{
      basis: { pupilId: string | null; blurred: boolean }[];
    }>(`SELECT basis FROM media_renditions WHERE id = $1`, [items[0]!.rendition_id]);
    expect(basis[0]!.basis.find((x) => x.pupilId === a.id)?.blurred).toBe(true);
    expect(basis[0]!.basis.find((x) => x.pupilId === b.id)?.blurred).toBe(false);
    // Delivered through the outbox like any publication: live on the news page again.
    expect(await s.publishing.deliver(again.id)).toBe('live');
  }, 60_000);
});
