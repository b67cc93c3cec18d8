import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices, type TestContext } from '../support/db.ts';
import { createSchool, grantConsentForAll, type SchoolFixture } from '../support/factories.ts';
import {
  approvedCamera,
  asStaff,
  oneFace,
  photoOfPupil,
  recordConsent,
  texturedJpeg,
} from '../support/publishing.ts';
import { fixedClock } from '../../src/platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import type { Services } from '../../src/container.ts';
import type { DraftInput } from '../../src/modules/publishing/posts/posts.forms.ts';

/**
 * Drafts, checks, approval, expiry and publishing with real PostgreSQL, the real image processor
 * and file store, and a one-box face detector (issue 12 items 2, 4, 5, 6, 9).
 */
describe('posts: drafts, approval, expiry, publishing (real PostgreSQL)', () => {
  let ctx: TestContext;
  let s: Services;
  let fx: SchoolFixture;
  let other: SchoolFixture;
  let camera: string;
  let jpeg: Buffer;
  let newsId: string;
  const clock = fixedClock('2026-10-05T09:00:00Z');

  const draft = (over: Partial<DraftInput> = {}): DraftInput => ({
    title: 'Sports day',
    body: 'Year 3 had a wonderful sports day in the sunshine.',
    eventLabel: 'sports day',
    kind: 'standard',
    media: [],
    accountIds: [newsId],
    scheduledAt: null,
    ...over,
  });

  const mailsTo = (email: string) => ctx.sink.messages.filter((m) => m.to.includes(email));
  const auditCount = async (action: string) =>
    (await s.audit.listForSchool(fx.school.id, { action }, 1)).total;

  beforeAll(async () => {
    ctx = await createTestServices({ clock, faces: oneFace });
    s = ctx.services;
    [fx, other] = await Promise.all([
      createSchool(s, { pupils: 6 }),
      createSchool(s, { pupils: 2 }),
    ]);
    await grantConsentForAll(s, fx);
    camera = await approvedCamera(s, fx);
    jpeg = await texturedJpeg(ctx.platform);
    newsId = (await s.posts.newsAccount(fx.school.id)).id;
  });
  afterAll(async () => ctx?.close());

  it('drafts a post with a photo from the library; only the author sees and changes it', async () => {
    const mediaId = await photoOfPupil(s, fx, camera, fx.pupils[0]!.id, jpeg);
    const post = await s.posts.createDraft(
      asStaff(fx, 'teacher'),
      draft({ media: [{ mediaId, altText: 'Children running a race' }] }),
    );
    expect(post).toMatchObject({ status: 'draft', authorId: fx.staff.teacher.id });
    const view = await s.posts.view(asStaff(fx, 'teacher'), post.id);
    expect(view.media).toEqual([
      expect.objectContaining({ mediaId, altText: 'Children running a race' }),
    ]);
    expect(view.previews[0]).toMatchObject({
      accountName: 'School news page',
      title: 'Sports day',
      text: 'Year 3 had a wonderful sports day in the sunshine.',
    });
    // Another teacher, and another school's staff, get a 404.
    await expect(s.posts.view(asStaff(fx, 'office'), post.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(s.posts.view(asStaff(other, 'headteacher'), post.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // The approver sees every post.
    await s.posts.view(asStaff(fx, 'headteacher'), post.id);
    // A photo of another school is refused, and nothing changes.
    await expect(
      s.posts.createDraft(
        asStaff(fx, 'teacher'),
        draft({ media: [{ mediaId: crypto.randomUUID(), altText: '' }] }),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    // The preview shows the blurred copy once it has been made.
    await s.posts.preparePreviews(asStaff(fx, 'teacher'), post.id);
    const after = await s.posts.view(asStaff(fx, 'teacher'), post.id);
    expect(after.previews[0]!.images).toEqual([expect.objectContaining({ mediaId, ready: true })]);
    const file = await s.posts.previewImage(
      asStaff(fx, 'teacher'),
      post.id,
      mediaId,
      after.previews[0]!.purposeKey,
    );
    expect(file.contentType).toBe('image/jpeg');
  });

  it('submit runs and stores the checks, emails the approver; nobody approves their own post', async () => {
    const head = asStaff(fx, 'headteacher');
    const own = await s.posts.createDraft(head, draft({ title: 'Head’s own post' }));
    const submitted = await s.posts.submit(head, own.id);
    expect(submitted.status).toBe('pending');
    // Expires after the profile's days (14 by default).
    expect(submitted.expiresAt!.toISOString()).toBe('2026-10-19T09:00:00.000Z');
    await expect(s.posts.approve(head, own.id)).rejects.toThrow(
      /cannot approve or return your own/,
    );
    const checks = await s.posts.view(head, own.id);
    expect(checks.checks.length).toBeGreaterThan(3);
    expect(checks.checks.every((c) => c.sentence.length > 0)).toBe(true);
    expect(checks.checks.some((c) => (c.citation as { clause?: string } | null)?.clause)).toBe(
      true,
    );
  });

  it('the approver approves a teacher’s post, it publishes with a record, and the author is emailed', async () => {
    const teacher = asStaff(fx, 'teacher');
    const head = asStaff(fx, 'headteacher');
    const pupil = fx.pupils[1]!;
    const mediaId = await photoOfPupil(s, fx, camera, pupil.id, jpeg);
    const post = await s.posts.createDraft(
      teacher,
      draft({ media: [{ mediaId, altText: 'A relay race' }] }),
    );
    ctx.sink.messages.length = 0;
    await s.posts.submit(teacher, post.id);
    await s.jobs.idle();
    // Someone who is not the approver cannot decide (404), as for a post they cannot see.
    await expect(s.posts.approve(asStaff(fx, 'dsl'), post.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(s.posts.returnPost(asStaff(fx, 'office'), post.id, 'no')).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await s.posts.sendEmail(fx.school.id, post.id, 'waiting');
    expect(mailsTo(fx.staff.headteacher.email).at(-1)?.subject).toMatch(
      /waiting for your approval/,
    );
    const approved = await s.posts.approve(head, post.id, 'Lovely');
    expect(approved).toMatchObject({ status: 'approved', decidedBy: head.id });
    await s.posts.sendEmail(fx.school.id, post.id, 'approved');
    expect(mailsTo(fx.staff.teacher.email).at(-1)?.subject).toMatch(/approved/);

    const outcome = await s.publishing.publish(fx.school.id, post.id, { kind: 'system', id: null });
    expect(outcome.published).toBe(true);
    const pubId = outcome.published ? outcome.publicationIds[0]! : '';
    const pool = s.database.pool;
    const { rows: items } = await pool.query(
      'SELECT media_id, rendition_sha256, file_key, alt_text FROM publication_items WHERE publication_id = $1',
      [pubId],
    );
    expect(items).toEqual([
      expect.objectContaining({ media_id: mediaId, alt_text: 'A relay race' }),
    ]);
    expect(items[0].rendition_sha256).toMatch(/^[0-9a-f]{64}$/);
    // The SHA-256 is of the bytes stored for the publication.
    const bytes = await ctx.platform.files.read(items[0].file_key);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(items[0].rendition_sha256);
    const { rows: pupils } = await pool.query(
      'SELECT pupil_id FROM publication_pupils WHERE publication_id = $1',
      [pubId],
    );
    expect(pupils).toEqual([{ pupil_id: pupil.id }]);
    const { rows: pub } = await pool.query(
      'SELECT state, approved_by, register_version, idempotency_key FROM publications WHERE id = $1',
      [pubId],
    );
    expect(pub[0]).toMatchObject({
      state: 'queued',
      approved_by: head.id,
      idempotency_key: `${post.id}:${newsId}`,
    });
    // Delivered through the built-in news adapter: the record goes live once.
    expect(await s.publishing.deliver(pubId)).toBe('live');
    expect(await s.publishing.deliver(pubId)).toBe('live');
    expect(await auditCount('publishing.publication-delivered')).toBeGreaterThanOrEqual(1);
    // The pupil's page lists where they appear.
    const seen = await s.posts.appearancesOf(fx.school.id, pupil.id);
    expect(seen).toEqual([
      expect.objectContaining({ postId: post.id, state: 'live', accountName: 'School news page' }),
    ]);
    // Publishing twice is refused.
    await expect(
      s.publishing.publish(fx.school.id, post.id, { kind: 'system', id: null }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('returns a post with comments; the author changes it and sends it again', async () => {
    const teacher = asStaff(fx, 'teacher');
    const head = asStaff(fx, 'headteacher');
    const post = await s.posts.createDraft(teacher, draft({ title: 'Trip' }));
    await s.posts.submit(teacher, post.id);
    await expect(s.posts.returnPost(head, post.id, '   ')).rejects.toBeInstanceOf(ValidationError);
    const returned = await s.posts.returnPost(head, post.id, 'Say which year group went.');
    expect(returned).toMatchObject({
      status: 'returned',
      decisionComment: 'Say which year group went.',
    });
    await s.posts.sendEmail(fx.school.id, post.id, 'returned');
    expect(mailsTo(fx.staff.teacher.email).at(-1)?.text).toContain('Say which year group went.');
    await expect(s.posts.approve(head, post.id)).rejects.toBeInstanceOf(ConflictError);
    await s.posts.updateDraft(teacher, post.id, draft({ title: 'Year 4 trip' }));
    expect((await s.posts.submit(teacher, post.id)).status).toBe('pending');
  });

  it('overrides only an overridable check, with a written reason that is audited', async () => {
    const teacher = asStaff(fx, 'teacher');
    const head = asStaff(fx, 'headteacher');
    // A photo whose pupil has refused: consent fails (never overridable).
    const refuser = fx.pupils[2]!;
    const mediaId = await photoOfPupil(s, fx, camera, refuser.id, jpeg);
    clock.set('2026-10-05T09:10:00Z');
    await recordConsent(s, fx, refuser.id, 'refused');
    const post = await s.posts.createDraft(
      teacher,
      draft({ title: 'Awful, terrible, horrible day', media: [{ mediaId, altText: 'A race' }] }),
    );
    await s.posts.submit(teacher, post.id);
    const view = await s.posts.view(head, post.id);
    const consent = view.checks.find((c) => c.key === 'consent')!;
    expect(consent).toMatchObject({ outcome: 'fail', overridable: false });
    await expect(
      s.posts.override(head, post.id, consent.id, 'The parent said yes on the phone'),
    ).rejects.toThrow(/does not let this check be overridden/);
    await expect(s.posts.approve(head, post.id)).rejects.toThrow(/fail/);
    const overridable = view.checks.find((c) => c.overridable && c.outcome !== 'pass');
    if (overridable) {
      await expect(s.posts.override(head, post.id, overridable.id, 'short')).rejects.toBeInstanceOf(
        ValidationError,
      );
      await s.posts.override(head, post.id, overridable.id, 'The tone is about the weather only.');
      const audit = await s.audit.listForSchool(
        fx.school.id,
        { action: 'publishing.check-overridden' },
        1,
      );
      expect(audit.total).toBe(1);
    }
    // The author cannot override anything.
    await expect(
      s.posts.override(teacher, post.id, consent.id, 'I think it is fine really'),
    ).rejects.toBeInstanceOf(NotFoundError);
    clock.set('2026-10-05T09:20:00Z');
    await recordConsent(s, fx, refuser.id, 'granted');
    clock.set('2026-10-05T09:00:00Z');
  });

  it('a pending post expires at its scheduled time, or after the profile’s days (the job)', async () => {
    const teacher = asStaff(fx, 'teacher');
    const soon = await s.posts.createDraft(
      teacher,
      draft({ title: 'Concert', scheduledAt: new Date('2026-10-06T15:00:00Z') }),
    );
    const later = await s.posts.createDraft(teacher, draft({ title: 'Harvest' }));
    expect((await s.posts.submit(teacher, soon.id)).expiresAt!.toISOString()).toBe(
      '2026-10-06T15:00:00.000Z',
    );
    await s.posts.submit(teacher, later.id);
    clock.set('2026-10-06T15:00:01Z');
    expect(await s.posts.expireDue()).toBe(1);
    expect((await s.posts.get(teacher, soon.id)).status).toBe('expired');
    expect((await s.posts.get(teacher, later.id)).status).toBe('pending');
    await expect(s.posts.approve(asStaff(fx, 'headteacher'), soon.id)).rejects.toThrow(/expired/);
    await s.posts.sendEmail(fx.school.id, soon.id, 'expired');
    expect(mailsTo(fx.staff.teacher.email).at(-1)?.subject).toMatch(/expired/);
    clock.set('2026-10-19T09:00:01Z');
    expect(await s.posts.expireDue()).toBeGreaterThanOrEqual(1);
    expect((await s.posts.get(teacher, later.id)).status).toBe('expired');
    clock.set('2026-10-05T09:00:00Z');
  });

  it('a withdrawal committed after approval wins at publish: the post goes back to its author', async () => {
    const teacher = asStaff(fx, 'teacher');
    const pupil = fx.pupils[3]!;
    const mediaId = await photoOfPupil(s, fx, camera, pupil.id, jpeg);
    const post = await s.posts.createDraft(teacher, draft({ media: [{ mediaId, altText: 'x' }] }));
    await s.posts.submit(teacher, post.id);
    await s.posts.approve(asStaff(fx, 'headteacher'), post.id);
    clock.set('2026-10-05T09:30:00Z');
    await recordConsent(s, fx, pupil.id, 'refused');
    const outcome = await s.publishing.publish(fx.school.id, post.id, { kind: 'system', id: null });
    expect(outcome.published).toBe(false);
    expect((await s.posts.get(teacher, post.id)).status).toBe('returned');
    const { rows } = await s.database.pool.query(
      'SELECT count(*)::int AS n FROM publications WHERE post_id = $1',
      [post.id],
    );
    expect(rows[0].n).toBe(0);
    expect(await s.posts.appearancesOf(fx.school.id, pupil.id)).toEqual([]);
  });
});
