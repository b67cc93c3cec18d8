/**
 * Reading posts: one post (for its author, an approver, or anyone who may see it), the lists,
 * and those awaiting approval.
 */
import type { Tx } from '../../../platform/db/database.ts';
import { NotFoundError } from '../../../errors.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import type { PostRow, PostStatus } from './posts.repository.ts';
import { canSeeAllPosts, canSeePost, isOwnPost } from './posts.policy.ts';
import type { PostsParts, PostsDeps } from './posts-deps.ts';

export class PostsReads {
  constructor(
    private readonly deps: PostsDeps,
    private readonly parts: PostsParts,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /** A post by id within a school (jobs), or undefined. */
  async postOf(schoolId: string, postId: string): Promise<PostRow | undefined> {
    return this.deps.repository.getById(this.db, schoolId, postId);
  }

  /** The post if this person may see it; a 404 otherwise (another school's, or not theirs). */
  async get(p: Principal, postId: string): Promise<PostRow> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const post = await this.deps.repository.getById(this.db, p.schoolId, postId);
    if (!post || !canSeePost(p, post, await this.parts.service.approverFor(p)))
      throw new NotFoundError();
    return post;
  }

  /** The post when this person wrote it or is the approver; a 404 for anyone else. */
  async authorOrApprover(p: Principal, postId: string): Promise<PostRow> {
    const post = await this.get(p, postId);
    if (!isOwnPost(p, post) && !(await this.parts.service.isApprover(p))) throw new NotFoundError();
    return post;
  }

  /** The post when this person wrote it; a 404 for anyone else (even those who may read it). */
  async ownPost(p: Principal, postId: string): Promise<PostRow> {
    const post = await this.get(p, postId);
    if (!isOwnPost(p, post)) throw new NotFoundError();
    return post;
  }

  async lockVisible(tx: Tx, p: StaffPrincipal, postId: string): Promise<PostRow> {
    const post = await this.deps.repository.getForUpdate(tx.db, p.schoolId, postId);
    if (!post || !canSeePost(p, post, await this.parts.service.approverFor(p)))
      throw new NotFoundError();
    return post;
  }

  /** Posts this person may see, by state, with their check summaries. */
  async list(p: Principal, statuses?: PostStatus[]) {
    if (p.kind !== 'staff') throw new NotFoundError();
    const all = canSeeAllPosts(p, await this.parts.service.approverFor(p));
    const rows = await this.deps.repository.list(this.db, p.schoolId, {
      ...(statuses ? { statuses } : {}),
      ...(all ? {} : { authorId: p.id }),
    });
    const summaries = await this.deps.repository.checkSummaries(
      this.db,
      p.schoolId,
      rows.map((r) => r.post.id),
    );
    return rows.map((r) => ({
      ...r,
      checks: summaries.get(r.post.id) ?? null,
    }));
  }

  /** Pending posts with their check summaries (the approver's dashboard). */
  async awaitingApproval(schoolId: string) {
    const rows = await this.deps.repository.list(this.db, schoolId, { statuses: ['pending'] });
    const summaries = await this.deps.repository.checkSummaries(
      this.db,
      schoolId,
      rows.map((r) => r.post.id),
    );
    return rows.map((r) => ({
      postId: r.post.id,
      authorId: r.post.authorId,
      title: r.post.title,
      authorName: r.authorName,
      submittedAt: r.post.submittedAt,
      expiresAt: r.post.expiresAt,
      checks: summaries.get(r.post.id) ?? { fail: 0, warning: 0, pass: 0 },
    }));
  }
}
