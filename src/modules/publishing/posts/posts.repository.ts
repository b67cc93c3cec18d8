import { and, asc, desc, eq, inArray, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import {
  channelAccountPosters,
  channelAccounts,
  postChannels,
  postChecks,
  postMedia,
  posts,
  publicationItems,
  publicationPupils,
  publications,
} from '../publishing.tables.ts';
import type { MediaService } from '../../media/index.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import { chainFor } from '../../audit/index.ts';

export type PostRow = typeof posts.$inferSelect;
export type PostStatus =
  'draft' | 'pending' | 'returned' | 'approved' | 'published' | 'expired' | 'withdrawn';
export type PostMediaRow = typeof postMedia.$inferSelect;
export type PostChannelRow = typeof postChannels.$inferSelect;
export type PostCheckRow = typeof postChecks.$inferSelect;
export type ChannelAccountRow = typeof channelAccounts.$inferSelect;
export type PublicationRow = typeof publications.$inferSelect;
export type PublicationState = 'queued' | 'delivering' | 'live' | 'failed' | 'removing' | 'removed';
export type PublicationItemRow = typeof publicationItems.$inferSelect;

/**
 * Queries on posts, their checks and publications; every one is scoped by school. Staff names,
 * pupils and media items are other modules' data: read through their services (`PeopleDirectory`,
 * `MediaService`) in batches, one statement per batch, with the caller's `db`.
 */
export class PostsRepository {
  constructor(
    private readonly others: {
      people: PeopleDirectory;
      media: Pick<MediaService, 'itemsByIds' | 'pupilsInItems' | 'faceCounts'>;
    },
  ) {}

  // ---------------------------------------------------------------------------------------
  // Channel accounts (read here; the "accounts" part registers and edits them)

  async accounts(db: Db, schoolId: string, activeOnly = true): Promise<ChannelAccountRow[]> {
    return db
      .select()
      .from(channelAccounts)
      .where(
        and(
          eq(channelAccounts.schoolId, schoolId),
          activeOnly ? eq(channelAccounts.active, true) : undefined,
        ),
      )
      .orderBy(asc(channelAccounts.name));
  }

  async accountById(db: Db, schoolId: string, id: string): Promise<ChannelAccountRow | undefined> {
    const rows = await db
      .select()
      .from(channelAccounts)
      .where(and(eq(channelAccounts.schoolId, schoolId), eq(channelAccounts.id, id)))
      .limit(1);
    return rows[0];
  }

  async newsAccount(db: Db, schoolId: string): Promise<ChannelAccountRow | undefined> {
    const rows = await db
      .select()
      .from(channelAccounts)
      .where(and(eq(channelAccounts.schoolId, schoolId), eq(channelAccounts.kind, 'news')))
      .limit(1);
    return rows[0];
  }

  /** Creates the built-in news account once (a second caller finds the first one's). */
  async ensureNewsAccount(
    db: Db,
    values: typeof channelAccounts.$inferInsert,
  ): Promise<ChannelAccountRow> {
    await db.insert(channelAccounts).values(values).onConflictDoNothing();
    return (await this.newsAccount(db, values.schoolId))!;
  }

  /** The accounts this member of staff is authorised to post to (SPEC §3.3). */
  async accountsOfPoster(db: Db, schoolId: string, staffId: string): Promise<Set<string>> {
    const rows = await db
      .select({ accountId: channelAccountPosters.accountId })
      .from(channelAccountPosters)
      .where(
        and(
          eq(channelAccountPosters.schoolId, schoolId),
          eq(channelAccountPosters.staffId, staffId),
        ),
      );
    return new Set(rows.map((r) => r.accountId));
  }

  // ---------------------------------------------------------------------------------------
  // Posts

  async create(db: Db, values: typeof posts.$inferInsert): Promise<PostRow> {
    const rows = await db.insert(posts).values(values).returning();
    return rows[0]!;
  }

  async getById(db: Db, schoolId: string, id: string): Promise<PostRow | undefined> {
    const rows = await db
      .select()
      .from(posts)
      .where(and(eq(posts.schoolId, schoolId), eq(posts.id, id)))
      .limit(1);
    return rows[0];
  }

  async getForUpdate(db: Db, schoolId: string, id: string): Promise<PostRow | undefined> {
    const rows = await db
      .select()
      .from(posts)
      .where(and(eq(posts.schoolId, schoolId), eq(posts.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async update(
    db: Db,
    schoolId: string,
    id: string,
    values: Partial<typeof posts.$inferInsert>,
  ): Promise<void> {
    await db
      .update(posts)
      .set({
        ...values,
        // The services' clock when the caller gives it (the demo replays a week), else now().
        updatedAt: values.updatedAt ?? sql`now()`,
        lockVersion: sql`${posts.lockVersion} + 1`,
      })
      .where(and(eq(posts.schoolId, schoolId), eq(posts.id, id)));
  }

  /** Posts of a school (or of one author), newest change first, with the author's name. */
  async list(
    db: Db,
    schoolId: string,
    filter: { statuses?: PostStatus[]; authorId?: string },
    limit = 200,
  ) {
    const found = await db
      .select()
      .from(posts)
      .where(
        and(
          eq(posts.schoolId, schoolId),
          filter.statuses ? inArray(posts.status, filter.statuses) : undefined,
          filter.authorId ? eq(posts.authorId, filter.authorId) : undefined,
        ),
      )
      .orderBy(desc(posts.updatedAt))
      .limit(limit);
    if (found.length === 0) return [];
    // One statement for every author on the page.
    const { staff } = await this.others.people.displayNames(db, schoolId, {
      staff: found.map((p) => p.authorId),
      parents: [],
      pupils: [],
    });
    return found.flatMap((post) => {
      const authorName = staff.get(post.authorId);
      return authorName === undefined ? [] : [{ post, authorName }];
    });
  }

  async countByStatus(db: Db, schoolId: string, authorId?: string) {
    const rows = await db
      .select({ status: posts.status, count: sql<number>`count(*)::int` })
      .from(posts)
      .where(and(eq(posts.schoolId, schoolId), authorId ? eq(posts.authorId, authorId) : undefined))
      .groupBy(posts.status);
    return new Map(rows.map((r) => [r.status, r.count]));
  }

  /** Pending posts whose time is up (the expiry job), any school. */
  async pendingExpiredBefore(db: Db, at: Date, limit = 500) {
    return db
      .select({ id: posts.id, schoolId: posts.schoolId })
      .from(posts)
      .where(and(eq(posts.status, 'pending'), lte(posts.expiresAt, at)))
      .limit(limit);
  }

  /** Approved posts whose scheduled time has come (or that have none), any school. */
  async approvedDue(db: Db, at: Date, limit = 500) {
    return db
      .select({ id: posts.id, schoolId: posts.schoolId })
      .from(posts)
      .where(
        and(
          eq(posts.status, 'approved'),
          or(sql`${posts.scheduledAt} IS NULL`, lte(posts.scheduledAt, at)),
        ),
      )
      .limit(limit);
  }

  // ---------------------------------------------------------------------------------------
  // Media and channels of a post

  async media(db: Db, schoolId: string, postId: string): Promise<PostMediaRow[]> {
    return db
      .select()
      .from(postMedia)
      .where(and(eq(postMedia.schoolId, schoolId), eq(postMedia.postId, postId)))
      .orderBy(asc(postMedia.position));
  }

  async replaceMedia(
    db: Db,
    schoolId: string,
    postId: string,
    rows: { mediaId: string; altText: string }[],
  ): Promise<void> {
    await db
      .delete(postMedia)
      .where(and(eq(postMedia.schoolId, schoolId), eq(postMedia.postId, postId)));
    if (rows.length)
      await db.insert(postMedia).values(
        rows.map((r, i) => ({
          postId,
          schoolId,
          mediaId: r.mediaId,
          altText: r.altText,
          position: i,
        })),
      );
  }

  async channels(db: Db, schoolId: string, postId: string) {
    return db
      .select({ channel: postChannels, account: channelAccounts })
      .from(postChannels)
      .innerJoin(channelAccounts, eq(channelAccounts.id, postChannels.accountId))
      .where(and(eq(postChannels.schoolId, schoolId), eq(postChannels.postId, postId)))
      .orderBy(asc(channelAccounts.name));
  }

  async replaceChannels(
    db: Db,
    schoolId: string,
    postId: string,
    rows: { accountId: string; purposeKey: string }[],
  ): Promise<void> {
    await db
      .delete(postChannels)
      .where(and(eq(postChannels.schoolId, schoolId), eq(postChannels.postId, postId)));
    if (rows.length)
      await db.insert(postChannels).values(rows.map((r) => ({ postId, schoolId, ...r })));
  }

  /** The library items a post may use: this school's, by id. */
  async mediaItems(db: Db, schoolId: string, ids: readonly string[]) {
    return this.others.media.itemsByIds(db, schoolId, ids);
  }

  /** The pupils in these media items: tagged to the whole item or linked to a face box. */
  async taggedPupils(
    db: Db,
    schoolId: string,
    mediaIds: readonly string[],
  ): Promise<{ mediaId: string; pupilId: string }[]> {
    return this.others.media.pupilsInItems(db, schoolId, mediaIds);
  }

  /**
   * Takes, in a fixed order, the locks a consent change also takes before its register version
   * bump (the pupils' rows, then the school's audit chain), so a publish that then reads the
   * version FOR SHARE can never deadlock with a withdrawal (ADR 0009).
   */
  async lockBeforeRegisterVersion(db: Db, schoolId: string, pupilIds: readonly string[]) {
    await this.others.people.lockPupilsForKeyShare(db, schoolId, pupilIds);
    await db.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${chainFor(schoolId)}, 0))`);
  }

  /** Face boxes per media item (the check compares them with the tags). */
  async faceCounts(db: Db, schoolId: string, mediaIds: readonly string[]) {
    return this.others.media.faceCounts(db, schoolId, mediaIds);
  }

  /** Every pupil on the roll, leavers included (the name check). */
  async roll(db: Db, schoolId: string) {
    return this.others.people.pupilRoster(db, schoolId);
  }

  async checks(db: Db, schoolId: string, postId: string): Promise<PostCheckRow[]> {
    return db
      .select()
      .from(postChecks)
      .where(and(eq(postChecks.schoolId, schoolId), eq(postChecks.postId, postId)))
      .orderBy(asc(postChecks.runAt));
  }

  async replaceChecks(
    db: Db,
    schoolId: string,
    postId: string,
    rows: (typeof postChecks.$inferInsert)[],
  ): Promise<void> {
    await db
      .delete(postChecks)
      .where(and(eq(postChecks.schoolId, schoolId), eq(postChecks.postId, postId)));
    if (rows.length) await db.insert(postChecks).values(rows);
  }

  async setOverride(
    db: Db,
    schoolId: string,
    checkId: string,
    values: { overriddenBy: string; overrideReason: string; overriddenAt: Date },
  ): Promise<void> {
    await db
      .update(postChecks)
      .set(values)
      .where(and(eq(postChecks.schoolId, schoolId), eq(postChecks.id, checkId)));
  }

  /** Summary of checks per post, for lists and the dashboard. */
  async checkSummaries(db: Db, schoolId: string, postIds: readonly string[]) {
    if (postIds.length === 0)
      return new Map<string, { fail: number; warning: number; pass: number }>();
    const rows = await db
      .select({
        postId: postChecks.postId,
        fail: sql<number>`count(*) filter (where ${postChecks.outcome} = 'fail' and ${postChecks.overriddenAt} is null)::int`,
        warning: sql<number>`count(*) filter (where ${postChecks.outcome} = 'warning' and ${postChecks.overriddenAt} is null)::int`,
        pass: sql<number>`count(*) filter (where ${postChecks.outcome} = 'pass' or ${postChecks.overriddenAt} is not null)::int`,
      })
      .from(postChecks)
      .where(and(eq(postChecks.schoolId, schoolId), inArray(postChecks.postId, [...postIds])))
      .groupBy(postChecks.postId);
    return new Map(rows.map((r) => [r.postId, { fail: r.fail, warning: r.warning, pass: r.pass }]));
  }

  // ---------------------------------------------------------------------------------------
  // Publications (the outbox and the record)

  async insertPublication(
    db: Db,
    values: typeof publications.$inferInsert,
  ): Promise<PublicationRow> {
    const rows = await db.insert(publications).values(values).returning();
    return rows[0]!;
  }

  async insertItems(db: Db, rows: (typeof publicationItems.$inferInsert)[]): Promise<void> {
    if (rows.length) await db.insert(publicationItems).values(rows);
  }

  async insertPupils(db: Db, rows: (typeof publicationPupils.$inferInsert)[]): Promise<void> {
    if (rows.length) await db.insert(publicationPupils).values(rows).onConflictDoNothing();
  }

  async publication(db: Db, id: string): Promise<PublicationRow | undefined> {
    const rows = await db.select().from(publications).where(eq(publications.id, id)).limit(1);
    return rows[0];
  }

  async publicationInSchool(
    db: Db,
    schoolId: string,
    id: string,
  ): Promise<PublicationRow | undefined> {
    const rows = await db
      .select()
      .from(publications)
      .where(and(eq(publications.schoolId, schoolId), eq(publications.id, id)))
      .limit(1);
    return rows[0];
  }

  async publicationForUpdate(db: Db, id: string): Promise<PublicationRow | undefined> {
    const rows = await db
      .select()
      .from(publications)
      .where(eq(publications.id, id))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async updatePublication(
    db: Db,
    id: string,
    values: Partial<typeof publications.$inferInsert>,
  ): Promise<void> {
    await db.update(publications).set(values).where(eq(publications.id, id));
  }

  async publicationsOfPost(db: Db, schoolId: string, postId: string) {
    return db
      .select({ publication: publications, account: channelAccounts })
      .from(publications)
      .innerJoin(channelAccounts, eq(channelAccounts.id, publications.accountId))
      .where(and(eq(publications.schoolId, schoolId), eq(publications.postId, postId)))
      .orderBy(asc(channelAccounts.name));
  }

  async items(db: Db, publicationId: string): Promise<PublicationItemRow[]> {
    return db
      .select()
      .from(publicationItems)
      .where(eq(publicationItems.publicationId, publicationId))
      .orderBy(asc(publicationItems.position));
  }

  async pupilIdsOf(db: Db, publicationId: string): Promise<string[]> {
    const rows = await db
      .select({ pupilId: publicationPupils.pupilId })
      .from(publicationPupils)
      .where(eq(publicationPupils.publicationId, publicationId));
    return rows.map((r) => r.pupilId);
  }

  /** Where a pupil appears: every publication showing them, newest first. */
  async appearancesOf(db: Db, schoolId: string, pupilId: string) {
    return db
      .select({
        publicationId: publications.id,
        postId: publications.postId,
        title: publications.title,
        state: publications.state,
        publishedAt: publications.publishedAt,
        removedAt: publications.removedAt,
        remoteUrl: publications.remoteUrl,
        accountName: channelAccounts.name,
        accountKind: channelAccounts.kind,
        purposeKey: publications.purposeKey,
      })
      .from(publicationPupils)
      .innerJoin(publications, eq(publications.id, publicationPupils.publicationId))
      .innerJoin(channelAccounts, eq(channelAccounts.id, publications.accountId))
      .where(and(eq(publicationPupils.schoolId, schoolId), eq(publicationPupils.pupilId, pupilId)))
      .orderBy(desc(publications.createdAt));
  }

  /** Publications the delivery job should look at now (any school). */
  async deliveryDue(db: Db, at: Date, limit = 100) {
    return db
      .select({ id: publications.id })
      .from(publications)
      .where(
        and(
          inArray(publications.state, ['queued', 'delivering']),
          or(sql`${publications.nextAttemptAt} IS NULL`, lte(publications.nextAttemptAt, at)),
        ),
      )
      .limit(limit);
  }
}
