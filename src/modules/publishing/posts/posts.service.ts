/**
 * The posts service's public surface. The channel and role look-ups every part uses, and where a
 * pupil appears, live here; each other kind of work lives in its own part, and this class only
 * hands calls on:
 * - posts-drafts.ts: creating and updating drafts
 * - posts-reads.ts: reading one post and the lists
 * - posts-previews.ts: the post's page, its previews and blurred copies
 * - posts-checks.ts: running the pre-publication checks on a post
 * - posts-approval.ts: submit, approve, return, override, expire
 * - posts-emails.ts: the emails about a post
 * - posts-deps.ts: what every part is given and the types they share
 */
import { ConflictError, NotFoundError } from '../../../errors.ts';
import { hasRole, type Principal, type StaffPrincipal } from '../../auth/index.ts';
import type { Actor } from '../../audit/index.ts';
import type { PolicyRole, PolicySettings } from '../../policies/index.ts';
import type { ChecksInput } from '../checks/index.ts';
import type { ChannelAccountRow, PostCheckRow, PostRow, PostStatus } from './posts.repository.ts';
import type { DraftInput } from './posts.forms.ts';
import { READ_TTL_MS } from '../../people/index.ts';
import { canApprovePosts, canDraftPosts, canOpenPosts, type PostApprover } from './posts.policy.ts';
import type { PostEmailKind, PostsDeps, PostsParts, PostView } from './posts-deps.ts';
import { PostsDrafts } from './posts-drafts.ts';
import { PostsReads } from './posts-reads.ts';
import { PostsPreviews } from './posts-previews.ts';
import { PostsChecks } from './posts-checks.ts';
import { PostsApproval } from './posts-approval.ts';
import { PostsEmails } from './posts-emails.ts';

export {
  pendingExpiryDays,
  postStatusLabels,
  type ChannelPreview,
  type PostEmailKind,
  type PostRow,
  type PostStatus,
  type PostCheckRow,
  type PostsDeps,
  type PostsPeople,
  type PostView,
  type PublishingJobsPort,
} from './posts-deps.ts';

/**
 * Drafts, checks and approval (SPEC §3.5, issue 12 items 2 and 4). The author drafts and
 * submits; the profile's approver (`roles.approverRole`) approves or returns with comments, and
 * may override only a check the profile marks overridable (`publishing.overridableChecks`), with
 * a written reason. Nobody approves their own post. Every change is one transaction with one
 * audit event; emails go through jobs enqueued in the same transaction.
 */
export class PostsService {
  private readonly drafts: PostsDrafts;
  private readonly reads: PostsReads;
  private readonly previews: PostsPreviews;
  private readonly checks: PostsChecks;
  private readonly approval: PostsApproval;
  private readonly emails: PostsEmails;

  constructor(private readonly deps: PostsDeps) {
    const parts = { service: this as PostsService } as PostsParts;
    this.drafts = parts.drafts = new PostsDrafts(deps, parts);
    this.reads = parts.reads = new PostsReads(deps, parts);
    this.previews = parts.previews = new PostsPreviews(deps, parts);
    this.checks = parts.checks = new PostsChecks(deps, parts);
    this.approval = parts.approval = new PostsApproval(deps, parts);
    this.emails = parts.emails = new PostsEmails(deps, parts);
  }

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

  /**
   * The approver for this person: the profile's role, and whether they hold one of the
   * profile's `roles.approverResponsibilities` now (a shared read per school of who holds what).
   */
  async approverFor(p: Principal): Promise<PostApprover> {
    if (p.kind !== 'staff') return { role: 'headteacher', byResponsibility: false };
    const { roles } = await this.settings(p.schoolId);
    const keys = roles.approverResponsibilities.value;
    const held = keys.length
      ? ((await this.deps.responsibilitiesHeld?.(p.schoolId, p.id)) ?? [])
      : [];
    return {
      role: roles.approverRole.value,
      byResponsibility: keys.some((k) => held.includes(k)),
    };
  }

  async isApprover(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canApprovePosts(p, await this.approverFor(p));
  }

  /**
   * The profile's rules for who drafts and who sees the posts list (`publishing.draftingRoles`,
   * `roles.approverRole`, `roles.approverResponsibilities`): a kept per-school read, checked
   * against the school's cache version, as every page asks it for the menu. A school that has
   * not chosen its policy yet has no rules: nobody drafts or opens posts until it has (and its
   * pages, the sign-in ones included, still render).
   */
  private postRules(schoolId: string) {
    return this.deps.database.cachedRead(
      `post-rules:${schoolId}`,
      READ_TTL_MS,
      async () => {
        const current = await this.deps.policies.currentOrNull(schoolId);
        if (!current)
          return {
            draftingRoles: [] as PolicyRole[],
            approverRole: null,
            approverKeys: [] as string[],
          };
        const { publishing, roles } = current.settings;
        return {
          draftingRoles: publishing.draftingRoles.value,
          approverRole: roles.approverRole.value,
          approverKeys: roles.approverResponsibilities.value,
        };
      },
      schoolId,
    );
  }

  /** The staff roles the profile lets draft posts (`publishing.draftingRoles`). */
  async draftingRoles(schoolId: string): Promise<readonly PolicyRole[]> {
    return (await this.postRules(schoolId)).draftingRoles;
  }

  /** Whether the school's profile lets this person draft posts. */
  async mayDraft(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canDraftPosts(p, await this.draftingRoles(p.schoolId));
  }

  /** The drafter, or a 404 for anyone whose role the profile does not let draft. */
  async drafter(p: Principal): Promise<StaffPrincipal> {
    if (p.kind !== 'staff' || !(await this.mayDraft(p))) throw new NotFoundError();
    return p;
  }

  /** Whether this person opens the posts list (and sees its menu entry): `canOpenPosts`. */
  async mayOpenPosts(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    const rules = await this.postRules(p.schoolId);
    if (rules.approverRole === null) return false;
    if (canDraftPosts(p, rules.draftingRoles)) return true;
    const held = rules.approverKeys.length
      ? ((await this.deps.responsibilitiesHeld?.(p.schoolId, p.id)) ?? [])
      : [];
    return canOpenPosts(p, rules.draftingRoles, {
      role: rules.approverRole,
      byResponsibility: rules.approverKeys.some((k) => held.includes(k)),
    });
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

  createDraft(p: Principal, input: DraftInput): Promise<PostRow> {
    return this.drafts.createDraft(p, input);
  }

  updateDraft(p: Principal, postId: string, input: DraftInput): Promise<PostRow> {
    return this.drafts.updateDraft(p, postId, input);
  }

  /** A post by id within a school (jobs), or undefined. */
  postOf(schoolId: string, postId: string): Promise<PostRow | undefined> {
    return this.reads.postOf(schoolId, postId);
  }

  /** Posts this person may see, by state, with their check summaries. */
  list(p: Principal, statuses?: PostStatus[]) {
    return this.reads.list(p, statuses);
  }

  /** Pending posts with their check summaries (the approver's dashboard). */
  awaitingApproval(schoolId: string) {
    return this.reads.awaitingApproval(schoolId);
  }

  /** Everything the post's page shows: preview per channel, checks, publications. */
  view(p: Principal, postId: string): Promise<PostView> {
    return this.previews.view(p, postId);
  }

  /** The blurred copy of a post's photo for a purpose, for the preview (404 if not made). */
  previewImage(p: Principal, postId: string, mediaId: string, purpose: string) {
    return this.previews.previewImage(p, postId, mediaId, purpose);
  }

  /** The page's "make the previews" button: renditions for every channel (author or approver). */
  preparePreviews(p: Principal, postId: string): Promise<Map<string, string>> {
    return this.previews.preparePreviews(p, postId);
  }

  /** Everything the checks read, at the moment the post would go out. */
  checksInput(
    schoolId: string,
    post: PostRow,
    refusals: Map<string, string> = new Map(),
  ): Promise<ChecksInput> {
    return this.checks.checksInput(schoolId, post, refusals);
  }

  /** Re-runs the checks of a post and stores them (the page's "run the checks again"). */
  recheck(p: Principal, postId: string): Promise<PostCheckRow[]> {
    return this.checks.recheck(p, postId);
  }

  /**
   * The author sends the post for approval: the blurred copies are made, the checks run and are
   * stored, and the approver is emailed. It expires at its scheduled time or after the profile's
   * number of days, whichever is first. Without `publishing.approvalRequired` a post whose checks
   * all pass is approved at once.
   */
  submit(p: Principal, postId: string): Promise<PostRow> {
    return this.approval.submit(p, postId);
  }

  /**
   * The approver approves: the checks run again (consent as of now), and every failing check must
   * be one the profile lets the approver override and has been overridden with a reason.
   */
  approve(p: Principal, postId: string, comment: string | null = null): Promise<PostRow> {
    return this.approval.approve(p, postId, comment);
  }

  /** The approver returns the post to its author with comments. */
  returnPost(p: Principal, postId: string, comment: string): Promise<PostRow> {
    return this.approval.returnPost(p, postId, comment);
  }

  /**
   * The approver overrides one failing or warning check, with a written reason. Only a check the
   * profile marks overridable (`publishing.overridableChecks`; consent never) can be overridden.
   * The reason is kept with the check and in the audit log.
   */
  override(p: Principal, postId: string, checkId: string, reason: string): Promise<void> {
    return this.approval.override(p, postId, checkId, reason);
  }

  /** Pending posts whose time is up become expired; their authors are emailed (the job). */
  expireDue(): Promise<number> {
    return this.approval.expireDue();
  }

  /** Sends the email about a post: to the approvers when it waits, else to its author. */
  sendEmail(schoolId: string, postId: string, kind: PostEmailKind): Promise<void> {
    return this.emails.sendEmail(schoolId, postId, kind);
  }

  /** The post if this person may see it; a 404 otherwise (another school's, or not theirs). */
  get(p: Principal, postId: string): Promise<PostRow> {
    return this.reads.get(p, postId);
  }

  /** The post when this person wrote it or is the approver; a 404 for anyone else. */
  authorOrApprover(p: Principal, postId: string): Promise<PostRow> {
    return this.reads.authorOrApprover(p, postId);
  }

  /** The post when this person wrote it; a 404 for anyone else (even those who may read it). */
  ownPost(p: Principal, postId: string): Promise<PostRow> {
    return this.reads.ownPost(p, postId);
  }

  /**
   * Makes (or remakes) the blurred copy of every photo for every channel's purpose. Returns the
   * refusals by `mediaId:purpose` (swimwear, quarantine, a pupil without consent …).
   */
  makeRenditions(schoolId: string, postId: string, actor: Actor) {
    return this.previews.makeRenditions(schoolId, postId, actor);
  }

  /** Runs every check now and returns the results (nothing stored). */
  evaluate(schoolId: string, post: PostRow, refusals?: Map<string, string>) {
    return this.checks.evaluate(schoolId, post, refusals);
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
