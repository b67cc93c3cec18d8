/**
 * What every part of the posts service is given (posts.service.ts builds the parts from these),
 * the types the parts share, and the small helpers they use.
 */
import type { Database, Db } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Mailer } from '../../../platform/mail/mailer.ts';
import type { EnqueueOptions } from '../../../platform/jobs/queue.ts';
import { NotFoundError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import type { Actor, AuditService } from '../../audit/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { PolicyRole, PolicySettings } from '../../policies/index.ts';
import type { ConsentService } from '../../consent/index.ts';
import type { MediaService } from '../../media/index.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type {
  ChannelAccountRow,
  PostCheckRow,
  PostRow,
  PostStatus,
  PostsRepository,
} from './posts.repository.ts';
import type { PostsService } from './posts.service.ts';
import type { PostsDrafts } from './posts-drafts.ts';
import type { PostsReads } from './posts-reads.ts';
import type { PostsPreviews } from './posts-previews.ts';
import type { PostsChecks } from './posts-checks.ts';
import type { PostsApproval } from './posts-approval.ts';
import type { PostsEmails } from './posts-emails.ts';

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

export const DAY_MS = 86_400_000;

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

export function staffActor(p: Principal): Actor {
  if (p.kind !== 'staff') throw new NotFoundError();
  return { kind: 'staff', id: p.id };
}

export function pendingExpiryDays(settings: PolicySettings): number {
  return settings.publishing.pendingExpiryDays.value;
}

export interface PostsDeps {
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
  /** Whether a member of staff holds a current permission to post reminders to parents. */
  reminderPermission?: (schoolId: string, staffId: string, at: Date) => Promise<boolean>;
  /** The named responsibilities a member of staff holds (`people.responsibilities`). */
  responsibilitiesHeld?: (schoolId: string, staffId: string) => Promise<string[]>;
  /** The members of staff who hold any of these responsibilities now (ids). */
  responsibilityHolders?: (schoolId: string, keys: readonly string[]) => Promise<string[]>;
  /** Whether a member of staff's social media training is up to date (nothing overdue). */
  trainingCurrent?: (schoolId: string, staffId: string) => Promise<boolean>;
}

/** The parts of the posts service, so one part can call another (posts.service.ts fills it). */
export interface PostsParts {
  service: PostsService;
  drafts: PostsDrafts;
  reads: PostsReads;
  previews: PostsPreviews;
  checks: PostsChecks;
  approval: PostsApproval;
  emails: PostsEmails;
}
