import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { pupils, schools, staff } from '../people/people.tables.ts';
import { mediaItems } from '../media/media.tables.ts';

/**
 * Publishing (SPEC §3.3 school accounts, §3.5 draft → checks → approval → publish → takedown).
 * Every table carries the school, and every query is scoped by it.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A channel a school publishes to: the built-in news page, a registered social media account, the
 * newsletter, or a delivery endpoint (webhook, WordPress, Bluesky). Lanyard never stores account
 * passwords; an API token an adapter needs is encrypted at rest and never shown again.
 */
export const channelAccounts = pgTable(
  'channel_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** 'news' | 'social' | 'newsletter' | 'webhook' | 'wordpress' | 'bluesky' */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    /** e.g. 'Facebook', 'X', 'Instagram' for a social account. */
    platform: text('platform'),
    handle: text('handle'),
    /** The consent purpose this channel maps to (a key of the profile's `consent.purposes`). */
    purposeKey: text('purpose_key').notNull(),
    /** 'public' | 'approved_followers' */
    audience: text('audience').notNull().default('public'),
    /** 'off' | 'on_moderated' | 'on_unmoderated' */
    comments: text('comments').notNull().default('off'),
    /** How comments are moderated, in the school's words. */
    moderation: text('moderation'),
    /** The credential custodian (`roles.credentialCustodianRole` by default). */
    custodianId: uuid('custodian_id').references(() => staff.id),
    /** The service's address for webhook / WordPress / Bluesky channels. */
    endpointUrl: text('endpoint_url'),
    /** A WordPress channel's category, by its name on the site (issue 13). */
    category: text('category'),
    /** An API token or signing secret, sealed with the platform SecretBox; never returned. */
    credentialCiphertext: text('credential_ciphertext'),
    credentialSetAt: ts('credential_set_at'),
    credentialSetBy: uuid('credential_set_by').references(() => staff.id),
    /** The channel's own limits: text length in graphemes and number of images (null: none). */
    maxLength: integer('max_length'),
    maxImages: integer('max_images'),
    active: boolean('active').notNull().default(true),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('channel_accounts_school_idx').on(t.schoolId, t.active, t.name),
    uniqueIndex('channel_accounts_one_news_key')
      .on(t.schoolId)
      .where(sql`${t.kind} = 'news'`),
  ],
);

/** The people authorised to post to an account (SPEC §3.3). */
export const channelAccountPosters = pgTable(
  'channel_account_posters',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => channelAccounts.id, { onDelete: 'cascade' }),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staff.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    addedBy: uuid('added_by').references(() => staff.id),
    addedAt: ts('added_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.staffId] }),
    index('channel_account_posters_staff_idx').on(t.schoolId, t.staffId),
  ],
);

/** A logged hand-over of an account's credentials from one person to another (SPEC §3.3). */
export const credentialHandovers = pgTable(
  'credential_handovers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => channelAccounts.id, { onDelete: 'cascade' }),
    fromStaffId: uuid('from_staff_id').references(() => staff.id),
    toStaffId: uuid('to_staff_id')
      .notNull()
      .references(() => staff.id),
    at: ts('at').notNull(),
    reason: text('reason').notNull(),
    recordedBy: uuid('recorded_by').references(() => staff.id),
  },
  (t) => [index('credential_handovers_account_idx').on(t.accountId, t.at)],
);

/** A post: drafted by staff, checked, approved by the profile's approver, then published. */
export const posts = pgTable(
  'posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    authorId: uuid('author_id')
      .notNull()
      .references(() => staff.id),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** A general event label ('sports day'), never a pupil's name. */
    eventLabel: text('event_label'),
    /** 'standard' | 'reminder_to_parents' (`publishing.reminderPostsNeedPermission`) */
    kind: text('kind').notNull().default('standard'),
    /** 'draft' | 'pending' | 'returned' | 'approved' | 'published' | 'expired' | 'withdrawn' */
    status: text('status').notNull(),
    /** When it should go out; null: as soon as it is approved. */
    scheduledAt: ts('scheduled_at'),
    submittedAt: ts('submitted_at'),
    /** A pending post expires at this moment (its scheduled time or the profile's days). */
    expiresAt: ts('expires_at'),
    decidedAt: ts('decided_at'),
    decidedBy: uuid('decided_by').references(() => staff.id),
    /** The approver's comments when returning it (or approving with a note). */
    decisionComment: text('decision_comment'),
    publishedAt: ts('published_at'),
    lockVersion: integer('lock_version').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('posts_school_status_idx').on(t.schoolId, t.status, t.updatedAt),
    index('posts_author_idx').on(t.schoolId, t.authorId, t.updatedAt),
    index('posts_expiry_idx')
      .on(t.expiresAt)
      .where(sql`${t.status} = 'pending'`),
    index('posts_scheduled_idx')
      .on(t.scheduledAt)
      .where(sql`${t.status} = 'approved'`),
  ],
);

/** Media items from the library in a post, in order, with their alt text. */
export const postMedia = pgTable(
  'post_media',
  {
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    mediaId: uuid('media_id')
      .notNull()
      .references(() => mediaItems.id, { onDelete: 'cascade' }),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    altText: text('alt_text').notNull().default(''),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.postId, t.mediaId] }),
    index('post_media_media_idx').on(t.schoolId, t.mediaId),
  ],
);

/** The channels a post goes to, each with the consent purpose it maps to. */
export const postChannels = pgTable(
  'post_channels',
  {
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => channelAccounts.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    purposeKey: text('purpose_key').notNull(),
  },
  (t) => [primaryKey({ columns: [t.postId, t.accountId] })],
);

/** The outcome of one pre-publication check on a post (SPEC §3.5), and any override. */
export const postChecks = pgTable(
  'post_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id, { onDelete: 'cascade' }),
    /** The channel the check was about; null for a check on the whole post. */
    accountId: uuid('account_id').references(() => channelAccounts.id),
    runAt: ts('run_at').notNull(),
    /** The check's key, e.g. 'consent', 'pupil_names', 'personal_details'. */
    key: text('key').notNull(),
    /** 'pass' | 'warning' | 'fail' */
    outcome: text('outcome').notNull(),
    /** One plain sentence. */
    sentence: text('sentence').notNull(),
    /** The clause from the school's own profile: { path, clause, source }. */
    citation: jsonb('citation'),
    /** The profile marks this check overridable by the approver. */
    overridable: boolean('overridable').notNull().default(false),
    overriddenBy: uuid('overridden_by').references(() => staff.id),
    overrideReason: text('override_reason'),
    overriddenAt: ts('overridden_at'),
  },
  (t) => [index('post_checks_post_idx').on(t.postId, t.runAt)],
);

/**
 * A publication: the outbox row and the record of what went where. Committed in the publish
 * transaction (after the consent re-check), then delivered by a job through the channel adapter.
 */
export const publications = pgTable(
  'publications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    postId: uuid('post_id')
      .notNull()
      .references(() => posts.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => channelAccounts.id),
    purposeKey: text('purpose_key').notNull(),
    /** 'queued' | 'delivering' | 'live' | 'failed' | 'removing' | 'removed' */
    state: text('state').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    /** What went out: the title and the text cut to the channel's limits. */
    title: text('title').notNull(),
    text: text('text').notNull(),
    remoteId: text('remote_id'),
    remoteUrl: text('remote_url'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at'),
    /** Plain English for the author when delivery failed. */
    lastError: text('last_error'),
    /** The register version read FOR SHARE in the publish transaction (ADR 0009). */
    registerVersion: bigint('register_version', { mode: 'number' }),
    approvedBy: uuid('approved_by').references(() => staff.id),
    publishedBy: uuid('published_by').references(() => staff.id),
    publishedAt: ts('published_at'),
    removedAt: ts('removed_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('publications_idempotency_key').on(t.idempotencyKey),
    index('publications_school_idx').on(t.schoolId, t.state, t.createdAt),
    index('publications_post_idx').on(t.postId),
    index('publications_outbox_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.state} in ('queued', 'delivering', 'removing')`),
  ],
);

/** The rendition of each media item that went out in a publication, with its SHA-256. */
export const publicationItems = pgTable(
  'publication_items',
  {
    publicationId: uuid('publication_id')
      .notNull()
      .references(() => publications.id, { onDelete: 'cascade' }),
    /** Null once the library item has been deleted (retention); the record stays. */
    mediaId: uuid('media_id').references(() => mediaItems.id, { onDelete: 'set null' }),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    /** The rendition copied (no foreign key: a remade rendition replaces its row's id). */
    renditionId: uuid('rendition_id'),
    fileKey: text('file_key').notNull(),
    renditionSha256: text('rendition_sha256').notNull(),
    contentType: text('content_type').notNull(),
    altText: text('alt_text').notNull().default(''),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.publicationId, t.position] }),
    index('publication_items_media_idx').on(t.schoolId, t.mediaId),
  ],
);

/** The pupils shown in a publication: the pupil page lists these, and takedown fans out from here. */
export const publicationPupils = pgTable(
  'publication_pupils',
  {
    publicationId: uuid('publication_id')
      .notNull()
      .references(() => publications.id, { onDelete: 'cascade' }),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
  },
  (t) => [
    primaryKey({ columns: [t.publicationId, t.pupilId] }),
    index('publication_pupils_pupil_idx').on(t.schoolId, t.pupilId),
  ],
);

/** A task to take a publication down (or republish it blurred) after consent changed (`consent.takedownWherePracticable`). */
export const takedownTasks = pgTable(
  'takedown_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    publicationId: uuid('publication_id')
      .notNull()
      .references(() => publications.id),
    pupilId: uuid('pupil_id')
      .notNull()
      .references(() => pupils.id),
    /** The `consent.changed` domain event it came from. */
    sourceEventId: bigint('source_event_id', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    /** Built-in and webhook channels remove automatically; others give a person a task. */
    automatic: boolean('automatic').notNull(),
    dueAt: ts('due_at').notNull(),
    /** 'open' | 'done' | 'failed' */
    state: text('state').notNull().default('open'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    doneAt: ts('done_at'),
    doneBy: uuid('done_by').references(() => staff.id),
    /** What the person who marked it done wrote (where and how it was removed). */
    doneNote: text('done_note'),
    /** 'removed' | 'republished_blurred' | 'already_gone', once done. */
    outcome: text('outcome'),
    /** An automatic removal's next try (retried until done). */
    nextAttemptAt: ts('next_attempt_at'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('takedown_tasks_retry_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.automatic} and ${t.state} <> 'done'`),
    uniqueIndex('takedown_tasks_source_key').on(t.publicationId, t.pupilId, t.sourceEventId),
    index('takedown_tasks_school_idx').on(t.schoolId, t.state, t.dueAt),
  ],
);

/** Each signed webhook delivery attempt (Standard Webhooks), for the delivery log. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    schoolId: uuid('school_id')
      .notNull()
      .references(() => schools.id),
    accountId: uuid('account_id')
      .notNull()
      .references(() => channelAccounts.id, { onDelete: 'cascade' }),
    publicationId: uuid('publication_id').references(() => publications.id),
    /** 'publication.published' | 'publication.removed' */
    event: text('event').notNull(),
    /** The Standard Webhooks message id (`webhook-id`). */
    webhookId: text('webhook_id').notNull(),
    statusCode: integer('status_code'),
    attempt: integer('attempt').notNull(),
    error: text('error'),
    at: ts('at').notNull(),
  },
  (t) => [index('webhook_deliveries_account_idx').on(t.accountId, t.at)],
);
