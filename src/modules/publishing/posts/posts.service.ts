import type { Database, Db, Tx } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Mailer } from '../../../platform/mail/mailer.ts';
import type { EnqueueOptions } from '../../../platform/jobs/queue.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import { formatDateTimeInWords } from '../../../web/dates.ts';
import { hasRole, type Principal, type StaffPrincipal } from '../../auth/index.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { PolicyRole, PolicySettings } from '../../policies/index.ts';
import type { ConsentService } from '../../consent/index.ts';
import type { MediaService } from '../../media/index.ts';
import { MediaNotPublishableError } from '../../media/index.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import {
  mayPublish,
  runChecks,
  storedCitation,
  type ChannelForChecks,
  type CheckResult,
  type ChecksInput,
  type MediaForChecks,
} from '../checks/index.ts';
import type {
  ChannelAccountRow,
  PostCheckRow,
  PostRow,
  PostStatus,
  PostsRepository,
} from './posts.repository.ts';
import type { DraftInput } from './posts.forms.ts';
import {
  canApprovePosts,
  canDecidePost,
  canDraftPosts,
  canEditPost,
  canPublishPost,
  canSeeAllPosts,
  canSeePost,
  isOwnPost,
} from './posts.policy.ts';
import { channelText, titleInText } from './text-limits.ts';

export type { PostRow, PostStatus, PostCheckRow };

/** What the posts service reads about staff (the people module's directory fits). */
export interface PostsPeople {
  displayNames(
    db: Db,
    schoolId: string,
    ids: { staff: string[]; parents: string[]; pupils: string[] },
  ): Promise<{ staff: Map<string, string> }>;
  getStaffById(db: Db, id: string): Promise<{ email: string; roles: string[] } | undefined>;
  staffWithRole(db: Db, schoolId: string, role: string): Promise<{ id: string; email: string }[]>;
}

/** The jobs the posts service enqueues (defined in publishing.jobs.ts). */
export type PostEmailKind = 'waiting' | 'approved' | 'returned' | 'expired' | 'refused' | 'failed';
export interface PublishingJobsPort {
  enqueue(
    name: 'publishing.post-email',
    data: { schoolId: string; postId: string; kind: PostEmailKind },
    options?: EnqueueOptions,
  ): Promise<unknown>;
  enqueue(
    name: 'publishing.publish',
    data: { schoolId: string; postId: string },
    options?: EnqueueOptions,
  ): Promise<unknown>;
  enqueue(
    name: 'publishing.deliver',
    data: { publicationId: string },
    options?: EnqueueOptions,
  ): Promise<unknown>;
}

const DAY_MS = 86_400_000;

export const postStatusLabels: Record<PostStatus, string> = {
  draft: 'Draft',
  pending: 'Waiting for approval',
  returned: 'Returned with comments',
  approved: 'Approved',
  published: 'Published',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
};

/** What the per-channel preview shows: exactly what would go out. */
export interface ChannelPreview {
  accountId: string;
  accountName: string;
  kind: string;
  purposeKey: string;
  purposeLabel: string;
  title: string | null;
  text: string;
  cut: boolean;
  images: {
    mediaId: string;
    altText: string;
    /** The blurred rendition for this channel's purpose, when it has been made. */
    ready: boolean;
    problem: string | null;
  }[];
  imagesLeftOut: number;
}

export interface PostView {
  post: PostRow;
  authorName: string;
  deciderName: string | null;
  media: { mediaId: string; altText: string; position: number; eventLabel: string }[];
  channels: { account: ChannelAccountRow; purposeKey: string; purposeLabel: string }[];
  checks: PostCheckRow[];
  previews: ChannelPreview[];
  publications: Awaited<ReturnType<PostsRepository['publicationsOfPost']>>;
  approverRole: PolicyRole;
  mayEdit: boolean;
  mayDecide: boolean;
  maySubmit: boolean;
  mayPublish: boolean;
  isAuthor: boolean;
}

function staffActor(p: Principal): Actor {
  if (p.kind !== 'staff') throw new NotFoundError();
  return { kind: 'staff', id: p.id };
}

export function pendingExpiryDays(settings: PolicySettings): number {
  return settings.publishing.pendingExpiryDays.value;
}

/**
 * Drafts, checks and approval (SPEC §3.5, issue 12 items 2 and 4). The author drafts and
 * submits; the profile's approver (`roles.approverRole`) approves or returns with comments, and
 * may override only a check the profile marks overridable (`publishing.overridableChecks`), with
 * a written reason. Nobody approves their own post. Every change is one transaction with one
 * audit event; emails go through jobs enqueued in the same transaction.
 */
export class PostsService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: PostsRepository;
      people: PeopleDirectory;
      audit: AuditService;
      clock: Clock;
      policies: PolicyService;
      consent: ConsentService;
      media: MediaService;
      mailer: Mailer;
      jobs: PublishingJobsPort;
      baseUrl: string;
    },
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  async settings(schoolId: string): Promise<PolicySettings> {
    return (await this.deps.policies.current(schoolId)).settings;
  }

  /** The role that approves posts (`roles.approverRole`). */
  async approverRole(schoolId: string): Promise<PolicyRole> {
    return (await this.settings(schoolId)).roles.approverRole.value;
  }

  async isApprover(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canApprovePosts(p, await this.approverRole(p.schoolId));
  }

  // ---------------------------------------------------------------------------------------
  // Channels

  /** The built-in school website news channel, made the first time it is needed. */
  async newsAccount(schoolId: string): Promise<ChannelAccountRow> {
    const found = await this.deps.repository.newsAccount(this.db, schoolId);
    if (found) return found;
    const purposes = (await this.settings(schoolId)).consent.purposes.value;
    const purpose = purposes.find((p) => p.key === 'school_website') ?? purposes[0];
    if (!purpose) throw new ConflictError('The school’s consent form has no purposes yet.');
    return this.deps.repository.ensureNewsAccount(this.db, {
      schoolId,
      kind: 'news',
      name: 'School news page',
      purposeKey: purpose.key,
      audience: 'public',
      comments: 'off',
    });
  }

  /** The channels a post may go to: the news page and every active registered account. */
  async channelChoices(schoolId: string): Promise<ChannelAccountRow[]> {
    await this.newsAccount(schoolId);
    return this.deps.repository.accounts(this.db, schoolId);
  }

  async purposeLabels(schoolId: string): Promise<Map<string, string>> {
    const purposes = (await this.settings(schoolId)).consent.purposes.value;
    return new Map(purposes.map((p) => [p.key, p.label]));
  }

  /** Photos from the library a draft may use: ready, not archived, newest first. */
  async libraryChoices(schoolId: string) {
    const { rows } = await this.deps.media.list(schoolId, 'working', 1);
    return rows.filter((i) => i.kind === 'image' && i.status === 'ready');
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
    const accounts = await this.channelChoices(schoolId);
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
    if (!canDraftPosts(p) || p.kind !== 'staff') throw new NotFoundError();
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
    await this.ownPost(p, postId);
    const channels = await this.validateDraft(p.schoolId, input);
    const { database, repository, audit } = this.deps;
    return database.transaction(async (tx) => {
      const post = await this.lockVisible(tx, p, postId);
      if (!canEditPost(p, post))
        throw new ConflictError('Only the author can change a draft or a returned post.');
      await repository.update(tx.db, p.schoolId, postId, {
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

  /** A post by id within a school (jobs), or undefined. */
  async postOf(schoolId: string, postId: string): Promise<PostRow | undefined> {
    return this.deps.repository.getById(this.db, schoolId, postId);
  }

  /** The post if this person may see it; a 404 otherwise (another school's, or not theirs). */
  async get(p: Principal, postId: string): Promise<PostRow> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const post = await this.deps.repository.getById(this.db, p.schoolId, postId);
    if (!post || !canSeePost(p, post, await this.approverRole(p.schoolId)))
      throw new NotFoundError();
    return post;
  }

  /** The post when this person wrote it or is the approver; a 404 for anyone else. */
  async authorOrApprover(p: Principal, postId: string): Promise<PostRow> {
    const post = await this.get(p, postId);
    if (!isOwnPost(p, post) && !(await this.isApprover(p))) throw new NotFoundError();
    return post;
  }

  /** The post when this person wrote it; a 404 for anyone else (even those who may read it). */
  async ownPost(p: Principal, postId: string): Promise<PostRow> {
    const post = await this.get(p, postId);
    if (!isOwnPost(p, post)) throw new NotFoundError();
    return post;
  }

  private async lockVisible(tx: Tx, p: StaffPrincipal, postId: string): Promise<PostRow> {
    const post = await this.deps.repository.getForUpdate(tx.db, p.schoolId, postId);
    if (!post || !canSeePost(p, post, await this.approverRole(p.schoolId)))
      throw new NotFoundError();
    return post;
  }

  /** Posts this person may see, by state, with their check summaries. */
  async list(p: Principal, statuses?: PostStatus[]) {
    if (p.kind !== 'staff') throw new NotFoundError();
    const all = canSeeAllPosts(p, await this.approverRole(p.schoolId));
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

  /** Everything the post's page shows: preview per channel, checks, publications. */
  async view(p: Principal, postId: string): Promise<PostView> {
    const post = await this.get(p, postId);
    const schoolId = post.schoolId;
    const { repository, people } = this.deps;
    const [media, channels, checks, publications, labels, approverRole, names] = await Promise.all([
      repository.media(this.db, schoolId, postId),
      repository.channels(this.db, schoolId, postId),
      repository.checks(this.db, schoolId, postId),
      repository.publicationsOfPost(this.db, schoolId, postId),
      this.purposeLabels(schoolId),
      this.approverRole(schoolId),
      people.displayNames(this.db, schoolId, {
        staff: [post.authorId, post.decidedBy].filter((x): x is string => !!x),
        parents: [],
        pupils: [],
      }),
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
      mayEdit: canEditPost(p, post),
      maySubmit: canEditPost(p, post),
      mayDecide: canDecidePost(p, post, approverRole),
      mayPublish:
        canPublishPost(p, post, approverRole) &&
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
    const post = await this.get(p, postId);
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
    const post = await this.authorOrApprover(p, postId);
    return this.makeRenditions(post.schoolId, postId, staffActor(p));
  }

  // ---------------------------------------------------------------------------------------
  // Checks

  /** Everything the checks read, at the moment the post would go out. */
  async checksInput(
    schoolId: string,
    post: PostRow,
    refusals: Map<string, string> = new Map(),
  ): Promise<ChecksInput> {
    const { repository, people } = this.deps;
    const db = this.db;
    const settings = await this.settings(schoolId);
    const [media, channels, roll] = await Promise.all([
      repository.media(db, schoolId, post.id),
      repository.channels(db, schoolId, post.id),
      repository.roll(db, schoolId),
    ]);
    const ids = media.map((m) => m.mediaId);
    const [items, tagged, faceCounts, author, postsTo] = await Promise.all([
      repository.mediaItems(db, schoolId, ids),
      repository.taggedPupils(db, schoolId, ids),
      repository.faceCounts(db, schoolId, ids),
      people.getStaffById(db, post.authorId),
      repository.accountsOfPoster(db, schoolId, post.authorId),
    ]);
    const itemById = new Map(items.map((i) => [i.id, i]));
    const purposes = [...new Set(channels.map((c) => c.channel.purposeKey))];
    const at =
      post.scheduledAt && post.scheduledAt > this.deps.clock.now() ? post.scheduledAt : undefined;
    const askFor = tagged.flatMap((t) =>
      purposes.map((purpose) => ({
        pupilId: t.pupilId,
        purpose,
        mediaType: (itemById.get(t.mediaId)?.kind === 'video' ? 'video' : 'image') as
          'image' | 'video',
        ...(at ? { at } : {}),
      })),
    );
    const answers = await this.deps.consent.mayMany(schoolId, askFor);
    const mediaForChecks: MediaForChecks[] = [];
    for (const [i, m] of media.entries()) {
      const item = itemById.get(m.mediaId);
      const renditions = await Promise.all(
        purposes.map(async (purpose) => {
          if (refusals.has(`${m.mediaId}:${purpose}`))
            return { purpose, status: 'failed' as const, blursEveryUntaggedFace: false };
          const r = await this.deps.media.rendition(schoolId, m.mediaId, purpose).catch(() => null);
          if (!r) return { purpose, status: 'missing' as const, blursEveryUntaggedFace: false };
          const basis = (r.basis ?? []) as { pupilId: string | null; blurred: boolean }[];
          const current = faceCounts.get(m.mediaId) ?? 0;
          return {
            purpose,
            status: basis.length === current ? ('ready' as const) : ('missing' as const),
            blursEveryUntaggedFace: basis.every((b) => b.pupilId !== null || b.blurred),
          };
        }),
      );
      mediaForChecks.push({
        id: m.mediaId,
        kind: item?.kind === 'video' ? 'video' : 'image',
        label: `Photo ${i + 1}`,
        status: (item?.status ?? 'failed') as 'ready' | 'processing' | 'failed',
        altText: m.altText,
        taggedPupilIds: tagged.filter((t) => t.mediaId === m.mediaId).map((t) => t.pupilId),
        faceCount: item?.kind === 'video' ? null : (faceCounts.get(m.mediaId) ?? 0),
        swimwear: item?.swimwear ?? false,
        quarantined: item ? item.quarantineReason !== null : false,
        renditions,
      });
    }
    const labels = new Map(settings.consent.purposes.value.map((p) => [p.key, p.label]));
    const channelsForChecks: ChannelForChecks[] = channels.map(({ account, channel }) => ({
      id: account.id,
      label: account.name,
      purpose: channel.purposeKey,
      limits: {
        maxGraphemes: account.maxLength,
        titleCountsTowardsText: titleInText(account.kind),
        maxImages: account.maxImages,
        maxVideos: 0,
        maxAltTextGraphemes: null,
      },
    }));
    void labels;
    const maxUpdated = roll.reduce((m, r) => Math.max(m, r.updatedAt.getTime()), 0);
    const roles = (author?.roles ?? []) as PolicyRole[];
    return {
      settings,
      roll: {
        schoolId,
        version: `${roll.length}:${maxUpdated}`,
        pupils: roll.map((r) => ({ id: r.id, givenName: r.givenName, familyName: r.familyName })),
      },
      post: {
        kind: post.kind === 'reminder_to_parents' ? 'reminder_to_parents' : 'standard',
        title: post.title,
        text: post.body,
        media: mediaForChecks,
        channels: channelsForChecks,
        author: {
          staffId: post.authorId,
          roles,
          // Named as a person authorised to post on every channel of the post (SPEC §3.3), or
          // the school's approver.
          designatedForPublicity:
            roles.includes(settings.roles.approverRole.value) ||
            (channels.length > 0 && channels.every((c) => postsTo.has(c.account.id))),
          reminderPermissionHeld: false,
        },
        consent: answers.map((a) => ({
          pupilId: a.pupilId,
          purpose: a.purpose,
          mediaType: a.mediaType,
          allowed: a.allowed,
          reason: a.reason,
        })),
        namingPermission: new Set<string>(),
        schoolContacts: { phones: [], emails: [], emailDomains: [], postcodes: [], addresses: [] },
      },
    };
  }

  /** Runs every check now and returns the results (nothing stored). */
  async evaluate(schoolId: string, post: PostRow, refusals?: Map<string, string>) {
    return runChecks(await this.checksInput(schoolId, post, refusals));
  }

  private checkRows(
    schoolId: string,
    postId: string,
    results: CheckResult[],
    keep: PostCheckRow[] = [],
  ) {
    const at = this.deps.clock.now();
    return results.map((r) => {
      const previous = keep.find(
        (k) =>
          k.key === r.key &&
          (k.accountId ?? null) === (r.channelId ?? null) &&
          k.overriddenAt !== null &&
          k.outcome === r.outcome,
      );
      return {
        schoolId,
        postId,
        accountId: r.channelId ?? null,
        runAt: at,
        key: r.key,
        outcome: r.outcome,
        sentence: r.sentence,
        citation: storedCitation(r),
        overridable: r.overridable,
        ...(previous && r.overridable
          ? {
              overriddenBy: previous.overriddenBy,
              overrideReason: previous.overrideReason,
              overriddenAt: previous.overriddenAt,
            }
          : {}),
      };
    });
  }

  /** Re-runs the checks of a post and stores them (the page's "run the checks again"). */
  async recheck(p: Principal, postId: string): Promise<PostCheckRow[]> {
    const post = await this.authorOrApprover(p, postId);
    const refusals = await this.makeRenditions(post.schoolId, postId, staffActor(p));
    const results = await this.evaluate(post.schoolId, post, refusals);
    await this.deps.database.transaction(async (tx) => {
      const keep = await this.deps.repository.checks(tx.db, post.schoolId, postId);
      await this.deps.repository.replaceChecks(
        tx.db,
        post.schoolId,
        postId,
        this.checkRows(post.schoolId, postId, results, post.status === 'pending' ? keep : []),
      );
    });
    return this.deps.repository.checks(this.db, post.schoolId, postId);
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
    const first = await this.ownPost(p, postId);
    if (!canEditPost(p, first))
      throw new ConflictError('Only the author can send a draft or a returned post for approval.');
    const refusals = await this.makeRenditions(p.schoolId, postId, staffActor(p));
    const results = await this.evaluate(p.schoolId, first, refusals);
    const settings = await this.settings(p.schoolId);
    const now = this.deps.clock.now();
    const byDays = new Date(now.getTime() + pendingExpiryDays(settings) * DAY_MS);
    const { database, repository, audit, jobs } = this.deps;
    return database.transaction(async (tx) => {
      const post = await this.lockVisible(tx, p, postId);
      if (!canEditPost(p, post) || post.lockVersion !== first.lockVersion)
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
        this.checkRows(p.schoolId, postId, results),
      );
      const autoApprove = !settings.publishing.approvalRequired.value && mayPublish(results);
      const expiresAt = post.scheduledAt && post.scheduledAt < byDays ? post.scheduledAt : byDays;
      await repository.update(tx.db, p.schoolId, postId, {
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
    const approverRole = await this.approverRole(p.schoolId);
    // Only the approver reaches a decision; anyone else gets a 404, as for another school's post.
    if (!canApprovePosts(p, approverRole)) throw new NotFoundError();
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
    const approverRole = await this.approverRole(p.schoolId);
    if (!canApprovePosts(p, approverRole)) throw new NotFoundError();
    const first = await this.deps.repository.getById(this.db, p.schoolId, postId);
    if (!first) throw new NotFoundError();
    const refusals = await this.makeRenditions(p.schoolId, postId, staffActor(p));
    const results = await this.evaluate(p.schoolId, first, refusals);
    const { database, repository, audit, jobs } = this.deps;
    return database.transaction(async (tx) => {
      const post = await this.lockPending(tx, p, postId);
      const previous = await repository.checks(tx.db, p.schoolId, postId);
      const rows = this.checkRows(p.schoolId, postId, results, previous);
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
        await this.deps.repository.update(tx.db, schoolId, id, { status: 'expired' });
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

  // ---------------------------------------------------------------------------------------
  // Emails

  /** Sends the email about a post: to the approvers when it waits, else to its author. */
  async sendEmail(schoolId: string, postId: string, kind: PostEmailKind): Promise<void> {
    const { repository, people, mailer, baseUrl } = this.deps;
    const post = await repository.getById(this.db, schoolId, postId);
    if (!post) return;
    const link = `${baseUrl}/posts/${postId}`;
    if (kind === 'waiting') {
      if (post.status !== 'pending') return;
      const role = await this.approverRole(schoolId);
      const approvers = (await people.staffWithRole(this.db, schoolId, role)).filter(
        (s) => s.id !== post.authorId,
      );
      for (const a of approvers) {
        await mailer.send({
          to: a.email,
          subject: `A post is waiting for your approval: ${post.title}`,
          text: [
            `A post is waiting for your approval: “${post.title}”.`,
            post.expiresAt
              ? `If it is not decided by ${formatDateTimeInWords(post.expiresAt)} it expires.`
              : '',
            `Read it, see its checks and decide: ${link}`,
          ]
            .filter(Boolean)
            .join('\n\n'),
        });
      }
      return;
    }
    const author = await people.getStaffById(this.db, post.authorId);
    if (!author) return;
    const sentences: Record<Exclude<PostEmailKind, 'waiting'>, [string, string]> = {
      approved: [
        `Your post was approved: ${post.title}`,
        post.scheduledAt && post.scheduledAt > this.deps.clock.now()
          ? `Your post “${post.title}” was approved. It goes out on ${formatDateTimeInWords(post.scheduledAt)}.`
          : `Your post “${post.title}” was approved and is going out now.`,
      ],
      returned: [
        `Your post was returned with comments: ${post.title}`,
        `Your post “${post.title}” was returned with comments:\n\n${post.decisionComment ?? ''}\n\nChange it and send it again.`,
      ],
      expired: [
        `Your post expired before it was approved: ${post.title}`,
        `Your post “${post.title}” was not approved in time and has expired. You can change it and send it again.`,
      ],
      refused: [
        `Your post could not go out: ${post.title}`,
        `Your post “${post.title}” could not go out: ${post.decisionComment ?? 'a check no longer passes.'}`,
      ],
      failed: [
        `Your post could not be delivered: ${post.title}`,
        `Your post “${post.title}” could not be delivered to one of its channels. The post’s page says why.`,
      ],
    };
    const [subject, text] = sentences[kind];
    await mailer.send({ to: author.email, subject, text: `${text}\n\n${link}` });
  }

  // ---------------------------------------------------------------------------------------
  // Where a pupil appears

  /** Every publication showing this pupil, newest first (the pupil's page). */
  async appearancesOf(schoolId: string, pupilId: string) {
    const [rows, labels] = await Promise.all([
      this.deps.repository.appearancesOf(this.db, schoolId, pupilId),
      this.purposeLabels(schoolId),
    ]);
    return rows.map((r) => ({ ...r, purposeLabel: labels.get(r.purposeKey) ?? r.purposeKey }));
  }

  /** True for the roles that see where pupils appear (staff who see the pupil's page). */
  static canSeeAppearances(p: Principal): boolean {
    return hasRole(p, 'headteacher', 'dsl', 'dpo', 'office', 'teacher', 'business_manager');
  }
}
