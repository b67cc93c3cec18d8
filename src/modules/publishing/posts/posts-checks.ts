/**
 * Running the pre-publication checks on a post: what they read, their results as stored rows,
 * and running them again.
 */
import type { Principal } from '../../auth/index.ts';
import type { PolicyRole } from '../../policies/index.ts';
import {
  loadCheckLibraries,
  runChecks,
  schoolContactsFrom,
  storedCitation,
  type ChannelForChecks,
  type CheckResult,
  type ChecksInput,
  type MediaForChecks,
} from '../checks/index.ts';
import type { PostCheckRow, PostRow } from './posts.repository.ts';
import { titleInText } from './text-limits.ts';
import { staffActor, type PostsParts, type PostsDeps } from './posts-deps.ts';

export class PostsChecks {
  constructor(
    private readonly deps: PostsDeps,
    private readonly parts: PostsParts,
  ) {}

  private get db() {
    return this.deps.database.db;
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
    const settings = await this.parts.service.settings(schoolId);
    const [media, channels, roll, school] = await Promise.all([
      repository.media(db, schoolId, post.id),
      repository.channels(db, schoolId, post.id),
      repository.roll(db, schoolId),
      people.getSchool(db, schoolId),
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
      // How the account is set up, for the profile's rules per kind (channels.accountRules).
      account: { kind: account.kind, audience: account.audience, comments: account.comments },
    }));
    void labels;
    // Kinds of account the author may post on by a responsibility they hold
    // (channels.accountRules' posterResponsibilities), after training where the rule asks for it.
    const held = (await this.deps.responsibilitiesHeld?.(schoolId, post.authorId)) ?? [];
    const byResponsibility = new Set<string>();
    let trained: boolean | undefined;
    for (const rule of settings.channels.accountRules.value) {
      if (!rule.posterResponsibilities.some((k) => held.includes(k))) continue;
      if (rule.postersNeedTraining) {
        trained ??= (await this.deps.trainingCurrent?.(schoolId, post.authorId)) ?? false;
        if (!trained) continue;
      }
      byResponsibility.add(rule.accountKind);
    }
    // The roll's version: its size, its latest change and a sum over every row's last change
    // (which moves even when a row's recorded time goes back, as a demo's clock can make it).
    let maxUpdated = 0;
    let sumUpdated = 0;
    for (const r of roll) {
      const t = r.updatedAt.getTime();
      if (t > maxUpdated) maxUpdated = t;
      sumUpdated = (sumUpdated + (t % 1_000_000_000)) % 1_000_000_000_000;
    }
    const roles = (author?.roles ?? []) as PolicyRole[];
    return {
      settings,
      roll: {
        schoolId,
        version: `${roll.length}:${maxUpdated}:${sumUpdated}`,
        pupils: roll.map((r) => ({
          id: r.id,
          givenName: r.givenName,
          familyName: r.familyName,
          preferredName: r.preferredGivenName,
          preferredFamilyName: r.preferredFamilyName,
        })),
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
          // the school's approver (its role or an approver responsibility the author holds).
          designatedForPublicity:
            roles.includes(settings.roles.approverRole.value) ||
            settings.roles.approverResponsibilities.value.some((k) => held.includes(k)) ||
            (channels.length > 0 &&
              channels.every(
                (c) => postsTo.has(c.account.id) || byResponsibility.has(c.account.kind),
              )),
          // The author's current permission to post reminders (conduct's permission requests).
          reminderPermissionHeld:
            post.kind === 'reminder_to_parents' &&
            ((await this.deps.reminderPermission?.(
              schoolId,
              post.authorId,
              at ?? this.deps.clock.now(),
            )) ??
              false),
        },
        consent: answers.map((a) => ({
          pupilId: a.pupilId,
          purpose: a.purpose,
          mediaType: a.mediaType,
          allowed: a.allowed,
          reason: a.reason,
          // A "never publish" restriction (the register's answer never carries its reason).
          ...(a.neverPublish ? { neverPublish: true } : {}),
        })),
        namingPermission: new Set<string>(),
        // The school's own published contact details are not personal details.
        schoolContacts: schoolContactsFrom(school),
      },
    };
  }

  /** Runs every check now and returns the results (nothing stored). */
  async evaluate(schoolId: string, post: PostRow, refusals?: Map<string, string>) {
    // The checks' libraries load on the first run, not at start-up (ADR 0010); then at once.
    const [input] = await Promise.all([
      this.checksInput(schoolId, post, refusals),
      loadCheckLibraries(),
    ]);
    return runChecks(input);
  }

  checkRows(schoolId: string, postId: string, results: CheckResult[], keep: PostCheckRow[] = []) {
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
    const post = await this.parts.reads.authorOrApprover(p, postId);
    const refusals = await this.parts.previews.makeRenditions(post.schoolId, postId, staffActor(p));
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
}
