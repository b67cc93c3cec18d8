/**
 * Drafting a post: checking the draft against the channels and library, creating and updating it.
 */
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import type { PostRow } from './posts.repository.ts';
import type { DraftInput } from './posts.forms.ts';
import { canDraftPosts, canEditPost } from './posts.policy.ts';
import { staffActor, type PostsParts, type PostsDeps } from './posts-deps.ts';

export class PostsDrafts {
  constructor(
    private readonly deps: PostsDeps,
    private readonly parts: PostsParts,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---------------------------------------------------------------------------------------
  // Drafts

  private async validateDraft(schoolId: string, input: DraftInput) {
    const errors: Record<string, string> = {};
    const media = await this.deps.repository.mediaItems(
      this.db,
      schoolId,
      input.media.map((m) => m.mediaId),
    );
    if (media.length !== new Set(input.media.map((m) => m.mediaId)).size)
      errors.mediaIds = 'Choose photos from the school’s library';
    const accounts = await this.parts.service.channelChoices(schoolId);
    const chosen = input.accountIds.map((id) => accounts.find((a) => a.id === id));
    if (input.accountIds.length === 0) errors.accountIds = 'Choose at least one channel';
    else if (chosen.some((a) => !a))
      errors.accountIds = 'Choose channels the school has registered';
    if (input.scheduledAt && input.scheduledAt.getTime() < this.deps.clock.now().getTime() - 60_000)
      errors.scheduled = 'The date to publish it must be in the future';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return chosen.map((a) => ({ accountId: a!.id, purposeKey: a!.purposeKey }));
  }

  async createDraft(p: Principal, input: DraftInput): Promise<PostRow> {
    // Only a role the profile lets draft (`publishing.draftingRoles`); anyone else, a 404.
    if (p.kind !== 'staff' || !(await this.parts.service.mayDraft(p))) throw new NotFoundError();
    const channels = await this.validateDraft(p.schoolId, input);
    const { database, repository, audit } = this.deps;
    return database.transaction(async (tx) => {
      const post = await repository.create(tx.db, {
        schoolId: p.schoolId,
        authorId: p.id,
        title: input.title,
        body: input.body,
        eventLabel: input.eventLabel,
        kind: input.kind,
        status: 'draft',
        scheduledAt: input.scheduledAt,
        // The services' clock, not the database's (the demo replays a week of changes).
        createdAt: this.deps.clock.now(),
        updatedAt: this.deps.clock.now(),
      });
      await repository.replaceMedia(tx.db, p.schoolId, post.id, input.media);
      await repository.replaceChannels(tx.db, p.schoolId, post.id, channels);
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: staffActor(p),
        action: 'publishing.post-drafted',
        entityType: 'post',
        entityId: post.id,
        data: { media: input.media.length, channels: channels.length },
      });
      return post;
    });
  }

  async updateDraft(p: Principal, postId: string, input: DraftInput): Promise<PostRow> {
    if (p.kind !== 'staff') throw new NotFoundError();
    await this.parts.reads.ownPost(p, postId);
    const draftingRoles = await this.parts.service.draftingRoles(p.schoolId);
    // An author whose role the profile no longer lets draft changes nothing: a 404.
    if (!canDraftPosts(p, draftingRoles)) throw new NotFoundError();
    const channels = await this.validateDraft(p.schoolId, input);
    const { database, repository, audit } = this.deps;
    return database.transaction(async (tx) => {
      const post = await this.parts.reads.lockVisible(tx, p, postId);
      if (!canEditPost(p, post, draftingRoles))
        throw new ConflictError('Only the author can change a draft or a returned post.');
      await repository.update(tx.db, p.schoolId, postId, {
        updatedAt: this.deps.clock.now(),
        title: input.title,
        body: input.body,
        eventLabel: input.eventLabel,
        kind: input.kind,
        scheduledAt: input.scheduledAt,
        status: 'draft',
      });
      await repository.replaceMedia(tx.db, p.schoolId, postId, input.media);
      await repository.replaceChannels(tx.db, p.schoolId, postId, channels);
      await repository.replaceChecks(tx.db, p.schoolId, postId, []);
      await audit.record(tx, {
        schoolId: p.schoolId,
        actor: staffActor(p),
        action: 'publishing.post-edited',
        entityType: 'post',
        entityId: postId,
        data: { media: input.media.length, channels: channels.length },
      });
      return (await repository.getById(tx.db, p.schoolId, postId))!;
    });
  }
}
