/**
 * Submitting, approving, returning, overriding a check, and expiring posts: each one transaction
 * with one audit event, emails and publishing enqueued in the same transaction.
 */
import type { Tx } from '../../../platform/db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import { mayPublish } from '../checks/index.ts';
import type { PostRow } from './posts.repository.ts';
import { canApprovePosts, canDraftPosts, canEditPost } from './posts.policy.ts';
import {
  DAY_MS,
  staffActor,
  pendingExpiryDays,
  type PostsParts,
  type PostsDeps,
} from './posts-deps.ts';

export class PostsApproval {
  constructor(
    private readonly deps: PostsDeps,
    private readonly parts: PostsParts,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---------------------------------------------------------------------------------------
  // Submit, approve, return, override, expire

  /**
   * The author sends the post for approval: the blurred copies are made, the checks run and are
   * stored, and the approver is emailed. It expires at its scheduled time or after the profile's
   * number of days, whichever is first. Without `publishing.approvalRequired` a post whose checks
   * all pass is approved at once.
   */
  async submit(p: Principal, postId: string): Promise<PostRow> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const first = await this.parts.reads.ownPost(p, postId);
    // An author whose role the profile no longer lets draft sends nothing: a 404.
    const draftingRoles = await this.parts.service.draftingRoles(p.schoolId);
    if (!canDraftPosts(p, draftingRoles)) throw new NotFoundError();
    if (!canEditPost(p, first, draftingRoles))
      throw new ConflictError('Only the author can send a draft or a returned post for approval.');
    const refusals = await this.parts.previews.makeRenditions(p.schoolId, postId, staffActor(p));
    const results = await this.parts.checks.evaluate(p.schoolId, first, refusals);
    const settings = await this.parts.service.settings(p.schoolId);
    const now = this.deps.clock.now();
    const byDays = new Date(now.getTime() + pendingExpiryDays(settings) * DAY_MS);
    const { database, repository, audit, jobs } = this.deps;
    return database.transaction(async (tx) => {
      const post = await this.parts.reads.lockVisible(tx, p, postId);
      if (!canEditPost(p, post, draftingRoles) || post.lockVersion !== first.lockVersion)
        throw new ConflictError('The post changed while it was being checked. Try again.');
      const media = await repository.media(tx.db, p.schoolId, postId);
      const channels = await repository.channels(tx.db, p.schoolId, postId);
      if (channels.length === 0)
        throw new ValidationError({ accountIds: 'Choose at least one channel' });
      void media;
      await repository.replaceChecks(
        tx.db,
        p.schoolId,
        postId,
        this.parts.checks.checkRows(p.schoolId, postId, results),
      );
      const autoApprove = !settings.publishing.approvalRequired.value && mayPublish(results);
      const expiresAt = post.scheduledAt && post.scheduledAt < byDays ? post.scheduledAt : byDays;
      await repository.update(tx.db, p.schoolId, postId, {
        updatedAt: this.deps.clock.now(),
        status: autoApprove ? 'approved' : 'pending',
        submittedAt: now,
        expiresAt: autoApprove ? null : expiresAt,
        decidedAt: autoApprove ? now : null,
        decidedBy: null,
        decisionComment: null,
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: staffActor(p),
        action: autoApprove
          ? 'publishing.post-approved-without-approval'
          : 'publishing.post-submitted',
        entityType: 'post',
        entityId: postId,
        data: {
          failing: results.filter((r) => r.outcome === 'fail').map((r) => r.key),
          warnings: results.filter((r) => r.outcome === 'warning').map((r) => r.key),
        },
      });
      if (autoApprove) await this.schedulePublish(tx, p.schoolId, postId, post.scheduledAt);
      else
        await jobs.enqueue(
          'publishing.post-email',
          { schoolId: p.schoolId, postId, kind: 'waiting' },
          { tx },
        );
      return (await repository.getById(tx.db, p.schoolId, postId))!;
    });
  }

  private async schedulePublish(tx: Tx, schoolId: string, postId: string, at: Date | null) {
    const now = this.deps.clock.now();
    await this.deps.jobs.enqueue(
      'publishing.publish',
      { schoolId, postId },
      { tx, ...(at && at > now ? { startAfter: at } : {}) },
    );
  }

  private async lockPending(tx: Tx, p: StaffPrincipal, postId: string): Promise<PostRow> {
    const approver = await this.parts.service.approverFor(p);
    // Only the approver reaches a decision; anyone else gets a 404, as for another school's post.
    if (!canApprovePosts(p, approver)) throw new NotFoundError();
    const post = await this.deps.repository.getForUpdate(tx.db, p.schoolId, postId);
    if (!post) throw new NotFoundError();
    if (post.authorId === p.id)
      throw new ConflictError(
        'You cannot approve or return your own post. Another approver must decide.',
      );
    if (post.status !== 'pending')
      throw new ConflictError(
        post.status === 'expired'
          ? 'This post expired before it was decided. The author can send it again.'
          : 'This post is not waiting for approval.',
      );
    if (post.expiresAt && post.expiresAt <= this.deps.clock.now())
      throw new ConflictError(
        'This post expired before it was decided. The author can send it again.',
      );
    return post;
  }

  /**
   * The approver approves: the checks run again (consent as of now), and every failing check must
   * be one the profile lets the approver override and has been overridden with a reason.
   */
  async approve(p: Principal, postId: string, comment: string | null = null): Promise<PostRow> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const approver = await this.parts.service.approverFor(p);
    if (!canApprovePosts(p, approver)) throw new NotFoundError();
    const first = await this.deps.repository.getById(this.db, p.schoolId, postId);
    if (!first) throw new NotFoundError();
    const refusals = await this.parts.previews.makeRenditions(p.schoolId, postId, staffActor(p));
    const results = await this.parts.checks.evaluate(p.schoolId, first, refusals);
    const { database, repository, audit, jobs } = this.deps;
    return database.transaction(async (tx) => {
      const post = await this.lockPending(tx, p, postId);
      const previous = await repository.checks(tx.db, p.schoolId, postId);
      const rows = this.parts.checks.checkRows(p.schoolId, postId, results, previous);
      await repository.replaceChecks(tx.db, p.schoolId, postId, rows);
      const blocking = rows.filter(
        (r) => r.outcome === 'fail' && !('overriddenAt' in r && r.overriddenAt),
      );
      if (blocking.length > 0) {
        throw new ConflictError(
          blocking.length === 1
            ? `One check fails: ${blocking[0]!.sentence} It must pass${blocking[0]!.overridable ? ', or be overridden with a reason,' : ''} before the post can be approved.`
            : `${blocking.length} checks fail. Each must pass, or be overridden with a reason where the school’s policy allows it, before the post can be approved.`,
        );
      }
      const now = this.deps.clock.now();
      await repository.update(tx.db, p.schoolId, postId, {
        updatedAt: this.deps.clock.now(),
        status: 'approved',
        decidedAt: now,
        decidedBy: p.id,
        decisionComment: comment,
        expiresAt: null,
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: staffActor(p),
        action: 'publishing.post-approved',
        entityType: 'post',
        entityId: postId,
        data: {
          overridden: rows.filter((r) => 'overriddenAt' in r && r.overriddenAt).map((r) => r.key),
          scheduled: post.scheduledAt ? post.scheduledAt.toISOString() : null,
        },
      });
      await jobs.enqueue(
        'publishing.post-email',
        { schoolId: p.schoolId, postId, kind: 'approved' },
        { tx },
      );
      await this.schedulePublish(tx, p.schoolId, postId, post.scheduledAt);
      return (await repository.getById(tx.db, p.schoolId, postId))!;
    });
  }

  /** The approver returns the post to its author with comments. */
  async returnPost(p: Principal, postId: string, comment: string): Promise<PostRow> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const { database, repository, audit, jobs } = this.deps;
    return database.transaction(async (tx) => {
      await this.lockPending(tx, p, postId);
      if (!comment.trim()) throw new ValidationError({ comment: 'Say what needs to change' });
      await repository.update(tx.db, p.schoolId, postId, {
        updatedAt: this.deps.clock.now(),
        status: 'returned',
        decidedAt: this.deps.clock.now(),
        decidedBy: p.id,
        decisionComment: comment.trim(),
        expiresAt: null,
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: staffActor(p),
        action: 'publishing.post-returned',
        entityType: 'post',
        entityId: postId,
        data: {},
      });
      await jobs.enqueue(
        'publishing.post-email',
        { schoolId: p.schoolId, postId, kind: 'returned' },
        { tx },
      );
      return (await repository.getById(tx.db, p.schoolId, postId))!;
    });
  }

  /**
   * The approver overrides one failing or warning check, with a written reason. Only a check the
   * profile marks overridable (`publishing.overridableChecks`; consent never) can be overridden.
   * The reason is kept with the check and in the audit log.
   */
  async override(p: Principal, postId: string, checkId: string, reason: string): Promise<void> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const text = reason.trim();
    const { database, repository, audit } = this.deps;
    await database.transaction(async (tx) => {
      await this.lockPending(tx, p, postId);
      if (text.length < 10)
        throw new ValidationError({
          reason: 'Give the reason for overriding this check in at least 10 characters',
        });
      const checks = await repository.checks(tx.db, p.schoolId, postId);
      const check = checks.find((c) => c.id === checkId);
      if (!check) throw new NotFoundError();
      if (check.outcome === 'pass')
        throw new ConflictError('This check passes; there is nothing to override.');
      if (!check.overridable)
        throw new ConflictError(
          'The school’s policy does not let this check be overridden. The post must be changed so that it passes.',
        );
      if (check.overriddenAt) throw new ConflictError('This check has already been overridden.');
      const now = this.deps.clock.now();
      await repository.setOverride(tx.db, p.schoolId, checkId, {
        overriddenBy: p.id,
        overrideReason: text,
        overriddenAt: now,
      });
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: staffActor(p),
        action: 'publishing.check-overridden',
        entityType: 'post',
        entityId: postId,
        // The approver's justification is the point of the audit entry (SPEC §3.5).
        data: { check: check.key, outcome: check.outcome, reason: text },
      });
    });
  }

  /** Pending posts whose time is up become expired; their authors are emailed (the job). */
  async expireDue(): Promise<number> {
    const now = this.deps.clock.now();
    const due = await this.deps.repository.pendingExpiredBefore(this.db, now);
    let expired = 0;
    for (const { id, schoolId } of due) {
      const done = await this.deps.database.transaction(async (tx) => {
        const post = await this.deps.repository.getForUpdate(tx.db, schoolId, id);
        if (!post || post.status !== 'pending' || !post.expiresAt || post.expiresAt > now)
          return false;
        await this.deps.repository.update(tx.db, schoolId, id, {
          updatedAt: this.deps.clock.now(),
          status: 'expired',
        });
        await this.deps.audit.record(tx, {
          schoolId,
          actor: { kind: 'system', id: null },
          action: 'publishing.post-expired',
          entityType: 'post',
          entityId: id,
          data: { expiresAt: post.expiresAt.toISOString() },
        });
        await this.deps.jobs.enqueue(
          'publishing.post-email',
          { schoolId, postId: id, kind: 'expired' },
          { tx },
        );
        return true;
      });
      if (done) expired++;
    }
    return expired;
  }
}
