/**
 * A post's page and its previews: the preview per channel, the blurred copies (renditions) the
 * channels would get, and their images.
 */
import { NotFoundError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import type { Actor } from '../../audit/index.ts';
import { MediaNotPublishableError } from '../../media/index.ts';
import type { PostRow, PostsRepository } from './posts.repository.ts';
import { canDecidePost, canEditPost, canPublishPost } from './posts.policy.ts';
import { channelText, titleInText } from './text-limits.ts';
import {
  staffActor,
  type ChannelPreview,
  type PostView,
  type PostsParts,
  type PostsDeps,
} from './posts-deps.ts';

export class PostsPreviews {
  constructor(
    private readonly deps: PostsDeps,
    private readonly parts: PostsParts,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /** Everything the post's page shows: preview per channel, checks, publications. */
  async view(p: Principal, postId: string): Promise<PostView> {
    const post = await this.parts.reads.get(p, postId);
    const schoolId = post.schoolId;
    const { repository, people } = this.deps;
    const [
      media,
      channels,
      checks,
      publications,
      labels,
      approverRole,
      approver,
      names,
      draftingRoles,
    ] = await Promise.all([
      repository.media(this.db, schoolId, postId),
      repository.channels(this.db, schoolId, postId),
      repository.checks(this.db, schoolId, postId),
      repository.publicationsOfPost(this.db, schoolId, postId),
      this.parts.service.purposeLabels(schoolId),
      this.parts.service.approverRole(schoolId),
      this.parts.service.approverFor(p),
      people.displayNames(this.db, schoolId, {
        staff: [post.authorId, post.decidedBy].filter((x): x is string => !!x),
        parents: [],
        pupils: [],
      }),
      this.parts.service.draftingRoles(schoolId),
    ]);
    const items = await repository.mediaItems(
      this.db,
      schoolId,
      media.map((m) => m.mediaId),
    );
    const itemById = new Map(items.map((i) => [i.id, i]));
    const previews = await this.previews(post, media, channels, labels);
    return {
      post,
      authorName: names.staff.get(post.authorId) ?? 'A member of staff',
      deciderName: post.decidedBy ? (names.staff.get(post.decidedBy) ?? null) : null,
      media: media.map((m) => ({
        mediaId: m.mediaId,
        altText: m.altText,
        position: m.position,
        eventLabel: itemById.get(m.mediaId)?.eventLabel ?? '',
      })),
      channels: channels.map((c) => ({
        account: c.account,
        purposeKey: c.channel.purposeKey,
        purposeLabel: labels.get(c.channel.purposeKey) ?? c.channel.purposeKey,
      })),
      checks,
      previews,
      publications,
      approverRole,
      mayEdit: canEditPost(p, post, draftingRoles),
      maySubmit: canEditPost(p, post, draftingRoles),
      mayDecide: canDecidePost(p, post, approver),
      mayPublish:
        canPublishPost(p, post, approver) &&
        (!post.scheduledAt || post.scheduledAt <= this.deps.clock.now()),
      isAuthor: p.kind === 'staff' && p.id === post.authorId,
    };
  }

  private async previews(
    post: PostRow,
    media: Awaited<ReturnType<PostsRepository['media']>>,
    channels: Awaited<ReturnType<PostsRepository['channels']>>,
    labels: Map<string, string>,
  ): Promise<ChannelPreview[]> {
    const renditionReady = new Map<string, boolean>();
    for (const purpose of new Set(channels.map((c) => c.channel.purposeKey))) {
      for (const m of media) {
        const ready = await this.deps.media
          .rendition(post.schoolId, m.mediaId, purpose)
          .then(() => true)
          .catch(() => false);
        renditionReady.set(`${m.mediaId}:${purpose}`, ready);
      }
    }
    return channels.map(({ account, channel }) => {
      const text = channelText(account.kind, account.maxLength, post.title, post.body);
      const shown = account.maxImages === null ? media : media.slice(0, account.maxImages);
      return {
        accountId: account.id,
        accountName: account.name,
        kind: account.kind,
        purposeKey: channel.purposeKey,
        purposeLabel: labels.get(channel.purposeKey) ?? channel.purposeKey,
        title: titleInText(account.kind) ? null : post.title,
        text,
        cut: text !== (titleInText(account.kind) ? `${post.title}\n\n${post.body}` : post.body),
        images: shown.map((m) => {
          const ready = renditionReady.get(`${m.mediaId}:${channel.purposeKey}`) ?? false;
          return {
            mediaId: m.mediaId,
            altText: m.altText,
            ready,
            problem: ready ? null : 'The blurred copy for this channel has not been made yet.',
          };
        }),
        imagesLeftOut: media.length - shown.length,
      };
    });
  }

  /** The blurred copy of a post's photo for a purpose, for the preview (404 if not made). */
  async previewImage(p: Principal, postId: string, mediaId: string, purpose: string) {
    const post = await this.parts.reads.get(p, postId);
    const media = await this.deps.repository.media(this.db, post.schoolId, postId);
    const channels = await this.deps.repository.channels(this.db, post.schoolId, postId);
    if (!media.some((m) => m.mediaId === mediaId)) throw new NotFoundError();
    if (!channels.some((c) => c.channel.purposeKey === purpose)) throw new NotFoundError();
    return this.deps.media.renditionFile(post.schoolId, mediaId, purpose);
  }

  /**
   * Makes (or remakes) the blurred copy of every photo for every channel's purpose. Returns the
   * refusals by `mediaId:purpose` (swimwear, quarantine, a pupil without consent …).
   */
  async makeRenditions(schoolId: string, postId: string, actor: Actor) {
    const { repository, media } = this.deps;
    const [items, channels] = await Promise.all([
      repository.media(this.db, schoolId, postId),
      repository.channels(this.db, schoolId, postId),
    ]);
    const refusals = new Map<string, string>();
    for (const purpose of new Set(channels.map((c) => c.channel.purposeKey))) {
      for (const m of items) {
        try {
          await media.publishableRendition(schoolId, m.mediaId, purpose, actor);
        } catch (e) {
          if (e instanceof MediaNotPublishableError)
            refusals.set(`${m.mediaId}:${purpose}`, e.message);
          else throw e;
        }
      }
    }
    return refusals;
  }

  /** The page's "make the previews" button: renditions for every channel (author or approver). */
  async preparePreviews(p: Principal, postId: string): Promise<Map<string, string>> {
    const post = await this.parts.reads.authorOrApprover(p, postId);
    return this.makeRenditions(post.schoolId, postId, staffActor(p));
  }
}
