import { and, asc, desc, eq, gte, inArray, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import {
  channelAccounts,
  posts,
  publicationItems,
  publicationPupils,
  publications,
  takedownTasks,
} from '../publishing.tables.ts';

export type TakedownTaskRow = typeof takedownTasks.$inferSelect;

/** A publication a pupil appears in that is (or may still become) visible on its channel. */
export interface AffectedPublication {
  publicationId: string;
  purposeKey: string;
  accountName: string;
  accountKind: string;
  custodianId: string | null;
}

/** A takedown task as the staff page shows it: words, no ids of people. */
export interface TakedownListRow {
  id: string;
  publicationId: string;
  postId: string;
  postTitle: string;
  accountId: string;
  accountName: string;
  accountKind: string;
  platform: string | null;
  handle: string | null;
  remoteUrl: string | null;
  custodianId: string | null;
  /** Filled in by the service from the people module (names are not read here). */
  custodianName: string | null;
  reason: string;
  automatic: boolean;
  dueAt: Date;
  state: string;
  attempts: number;
  lastError: string | null;
  doneAt: Date | null;
  doneBy: string | null;
  doneByName: string | null;
  doneNote: string | null;
  outcome: string | null;
  createdAt: Date;
}

/**
 * Takedown queries (issue 12 item 10). Every query names the school, except the worker's own
 * sweeps, which read the work of every school and carry each row's school onwards.
 */
export class TakedownRepository {
  /** Publications showing this pupil that are live or on their way (not removed or being removed). */
  async affectedPublications(
    db: Db,
    schoolId: string,
    pupilId: string,
  ): Promise<AffectedPublication[]> {
    const { rows } = await db.execute<{
      publication_id: string;
      purpose_key: string;
      name: string;
      kind: string;
      custodian_id: string | null;
    }>(sql`
      SELECT p.id AS publication_id, p.purpose_key, a.name, a.kind, a.custodian_id
        FROM publication_pupils pp
        JOIN publications p ON p.id = pp.publication_id AND p.school_id = ${schoolId}
        JOIN channel_accounts a ON a.id = p.account_id AND a.school_id = ${schoolId}
       WHERE pp.school_id = ${schoolId} AND pp.pupil_id = ${pupilId}
         AND p.state IN ('queued', 'delivering', 'live', 'failed')`);
    return rows.map((r) => ({
      publicationId: r.publication_id,
      purposeKey: r.purpose_key,
      accountName: r.name,
      accountKind: r.kind,
      custodianId: r.custodian_id,
    }));
  }

  /**
   * Inserts one event's tasks for one pupil, once per publication + pupil + event (a re-run makes
   * nothing twice); returns the ones that are new. One statement whatever the number (arrays, not
   * thousands of parameters).
   */
  async insertTasks(
    db: Db,
    common: { schoolId: string; pupilId: string; sourceEventId: number; createdAt: Date },
    tasks: {
      publicationId: string;
      reason: string;
      automatic: boolean;
      dueAt: Date;
      nextAttemptAt: Date | null;
    }[],
  ): Promise<{ id: string; publicationId: string }[]> {
    if (tasks.length === 0) return [];
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const { rows } = await db.execute<{ id: string; publication_id: string }>(sql`
      INSERT INTO takedown_tasks (school_id, publication_id, pupil_id, source_event_id, reason,
                                  automatic, due_at, state, next_attempt_at, created_at)
      SELECT ${common.schoolId}::uuid, t.pub, ${common.pupilId}::uuid, ${common.sourceEventId}::bigint,
             t.reason, t.automatic, t.due, 'open', t.nxt, ${common.createdAt.toISOString()}::timestamptz
        FROM unnest(${sql.param(tasks.map((t) => t.publicationId))}::uuid[],
                    ${sql.param(tasks.map((t) => t.reason))}::text[],
                    ${sql.param(tasks.map((t) => t.automatic))}::boolean[],
                    ${sql.param(tasks.map((t) => iso(t.dueAt)))}::timestamptz[],
                    ${sql.param(tasks.map((t) => iso(t.nextAttemptAt)))}::timestamptz[])
             AS t(pub, reason, automatic, due, nxt)
      ON CONFLICT (publication_id, pupil_id, source_event_id) DO NOTHING
      RETURNING id, publication_id`);
    return rows.map((r) => ({ id: r.id, publicationId: r.publication_id }));
  }

  /** Publications with automatic removals due (not done, next try reached). */
  async automaticDue(
    db: Db,
    at: Date,
    limit: number,
  ): Promise<{ publicationId: string; schoolId: string }[]> {
    return db
      .selectDistinct({
        publicationId: takedownTasks.publicationId,
        schoolId: takedownTasks.schoolId,
      })
      .from(takedownTasks)
      .where(
        and(
          eq(takedownTasks.automatic, true),
          ne(takedownTasks.state, 'done'),
          or(isNull(takedownTasks.nextAttemptAt), lte(takedownTasks.nextAttemptAt, at)),
        ),
      )
      .limit(limit);
  }

  async publicationForUpdate(db: Db, schoolId: string, publicationId: string) {
    const [row] = await db
      .select()
      .from(publications)
      .where(and(eq(publications.id, publicationId), eq(publications.schoolId, schoolId)))
      .for('update');
    return row;
  }

  /** Publications of the school, locked in id order (two workers never deadlock). */
  async publicationsForUpdate(db: Db, schoolId: string, ids: string[]) {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(publications)
      .where(and(eq(publications.schoolId, schoolId), inArray(publications.id, ids)))
      .orderBy(asc(publications.id))
      .for('update');
  }

  async setPublications(
    db: Db,
    schoolId: string,
    ids: string[],
    values: Partial<typeof publications.$inferInsert>,
  ): Promise<void> {
    if (ids.length === 0) return;
    await db
      .update(publications)
      .set(values)
      .where(and(eq(publications.schoolId, schoolId), inArray(publications.id, ids)));
  }

  /** The open (or failed) automatic tasks of these publications, locked. */
  async openAutomaticTasksForUpdate(
    db: Db,
    schoolId: string,
    publicationIds: string[],
  ): Promise<TakedownTaskRow[]> {
    if (publicationIds.length === 0) return [];
    return db
      .select()
      .from(takedownTasks)
      .where(
        and(
          eq(takedownTasks.schoolId, schoolId),
          inArray(takedownTasks.publicationId, publicationIds),
          eq(takedownTasks.automatic, true),
          ne(takedownTasks.state, 'done'),
        ),
      )
      .orderBy(asc(takedownTasks.id))
      .for('update');
  }

  async setPublication(
    db: Db,
    schoolId: string,
    publicationId: string,
    values: Partial<typeof publications.$inferInsert>,
  ): Promise<void> {
    await db
      .update(publications)
      .set(values)
      .where(and(eq(publications.id, publicationId), eq(publications.schoolId, schoolId)));
  }

  async account(db: Db, schoolId: string, accountId: string) {
    const [row] = await db
      .select()
      .from(channelAccounts)
      .where(and(eq(channelAccounts.id, accountId), eq(channelAccounts.schoolId, schoolId)));
    return row;
  }

  /** Open (or failed) tasks of a publication, locked. */
  async openTasksForUpdate(
    db: Db,
    schoolId: string,
    publicationId: string,
    automaticOnly: boolean,
  ): Promise<TakedownTaskRow[]> {
    return db
      .select()
      .from(takedownTasks)
      .where(
        and(
          eq(takedownTasks.schoolId, schoolId),
          eq(takedownTasks.publicationId, publicationId),
          ne(takedownTasks.state, 'done'),
          ...(automaticOnly ? [eq(takedownTasks.automatic, true)] : []),
        ),
      )
      .orderBy(asc(takedownTasks.createdAt))
      .for('update');
  }

  async completeTasks(
    db: Db,
    schoolId: string,
    ids: string[],
    values: { at: Date; by: string | null; note: string | null; outcome: string },
  ): Promise<void> {
    if (ids.length === 0) return;
    await db
      .update(takedownTasks)
      .set({
        state: 'done',
        doneAt: values.at,
        doneBy: values.by,
        doneNote: values.note,
        outcome: values.outcome,
        nextAttemptAt: null,
      })
      .where(and(eq(takedownTasks.schoolId, schoolId), inArray(takedownTasks.id, ids)));
  }

  /** A failed try: counted, the reason kept in words, the next try scheduled; stays visible. */
  async failTasks(
    db: Db,
    schoolId: string,
    ids: string[],
    values: { error: string; nextAttemptAt: Date },
  ): Promise<void> {
    if (ids.length === 0) return;
    await db
      .update(takedownTasks)
      .set({
        state: 'failed',
        attempts: sql`${takedownTasks.attempts} + 1`,
        lastError: values.error,
        nextAttemptAt: values.nextAttemptAt,
      })
      .where(and(eq(takedownTasks.schoolId, schoolId), inArray(takedownTasks.id, ids)));
  }

  /** Put off the next try without counting a failure (the item is still being delivered). */
  async deferTasks(db: Db, schoolId: string, ids: string[], until: Date): Promise<void> {
    if (ids.length === 0) return;
    await db
      .update(takedownTasks)
      .set({ nextAttemptAt: until })
      .where(and(eq(takedownTasks.schoolId, schoolId), inArray(takedownTasks.id, ids)));
  }

  private listQuery(db: Db) {
    return db
      .select({
        id: takedownTasks.id,
        publicationId: takedownTasks.publicationId,
        postId: publications.postId,
        postTitle: posts.title,
        accountId: channelAccounts.id,
        accountName: channelAccounts.name,
        accountKind: channelAccounts.kind,
        platform: channelAccounts.platform,
        handle: channelAccounts.handle,
        remoteUrl: publications.remoteUrl,
        custodianId: channelAccounts.custodianId,
        custodianName: sql<string | null>`null::text`,
        reason: takedownTasks.reason,
        automatic: takedownTasks.automatic,
        dueAt: takedownTasks.dueAt,
        state: takedownTasks.state,
        attempts: takedownTasks.attempts,
        lastError: takedownTasks.lastError,
        doneAt: takedownTasks.doneAt,
        doneBy: takedownTasks.doneBy,
        doneByName: sql<string | null>`null::text`,
        doneNote: takedownTasks.doneNote,
        outcome: takedownTasks.outcome,
        createdAt: takedownTasks.createdAt,
      })
      .from(takedownTasks)
      .innerJoin(publications, eq(publications.id, takedownTasks.publicationId))
      .innerJoin(posts, eq(posts.id, publications.postId))
      .innerJoin(channelAccounts, eq(channelAccounts.id, publications.accountId));
  }

  /** Tasks not done (due first), optionally only those of accounts this person keeps. */
  async open(db: Db, schoolId: string, custodianId?: string): Promise<TakedownListRow[]> {
    return this.listQuery(db)
      .where(
        and(
          eq(takedownTasks.schoolId, schoolId),
          ne(takedownTasks.state, 'done'),
          ...(custodianId ? [eq(channelAccounts.custodianId, custodianId)] : []),
        ),
      )
      .orderBy(asc(takedownTasks.dueAt), asc(takedownTasks.createdAt))
      .limit(500);
  }

  /** The latest tasks done. */
  async done(
    db: Db,
    schoolId: string,
    custodianId?: string,
    limit = 50,
  ): Promise<TakedownListRow[]> {
    return this.listQuery(db)
      .where(
        and(
          eq(takedownTasks.schoolId, schoolId),
          eq(takedownTasks.state, 'done'),
          ...(custodianId ? [eq(channelAccounts.custodianId, custodianId)] : []),
        ),
      )
      .orderBy(desc(takedownTasks.doneAt))
      .limit(limit);
  }

  async get(db: Db, schoolId: string, id: string): Promise<TakedownListRow | undefined> {
    const [row] = await this.listQuery(db)
      .where(and(eq(takedownTasks.schoolId, schoolId), eq(takedownTasks.id, id)))
      .limit(1);
    return row;
  }

  async taskForUpdate(db: Db, schoolId: string, id: string): Promise<TakedownTaskRow | undefined> {
    const [row] = await db
      .select()
      .from(takedownTasks)
      .where(and(eq(takedownTasks.schoolId, schoolId), eq(takedownTasks.id, id)))
      .for('update');
    return row;
  }

  /** Whether this member of staff keeps the credentials of any of the school's accounts. */
  async isCustodian(db: Db, schoolId: string, staffId: string): Promise<boolean> {
    const [row] = await db
      .select({ id: channelAccounts.id })
      .from(channelAccounts)
      .where(and(eq(channelAccounts.schoolId, schoolId), eq(channelAccounts.custodianId, staffId)))
      .limit(1);
    return Boolean(row);
  }

  /** A publication's items (to publish it again with a pupil blurred). */
  async items(db: Db, schoolId: string, publicationId: string) {
    return db
      .select()
      .from(publicationItems)
      .where(
        and(
          eq(publicationItems.schoolId, schoolId),
          eq(publicationItems.publicationId, publicationId),
        ),
      )
      .orderBy(asc(publicationItems.position));
  }

  async pupilsOf(db: Db, schoolId: string, publicationId: string): Promise<string[]> {
    const rows = await db
      .select({ pupilId: publicationPupils.pupilId })
      .from(publicationPupils)
      .where(
        and(
          eq(publicationPupils.schoolId, schoolId),
          eq(publicationPupils.publicationId, publicationId),
        ),
      );
    return rows.map((r) => r.pupilId);
  }

  /** A new publication (the outbox row), its items and pupils, as the publish transaction writes. */
  async insertPublication(
    db: Db,
    row: typeof publications.$inferInsert,
    items: (typeof publicationItems.$inferInsert)[],
    pupilIds: string[],
  ): Promise<void> {
    await db.insert(publications).values(row);
    if (items.length > 0) await db.insert(publicationItems).values(items);
    if (pupilIds.length > 0)
      await db
        .insert(publicationPupils)
        .values(
          pupilIds.map((pupilId) => ({ publicationId: row.id!, pupilId, schoolId: row.schoolId })),
        );
  }

  async setOutcome(
    db: Db,
    schoolId: string,
    publicationId: string,
    outcome: string,
  ): Promise<void> {
    await db
      .update(takedownTasks)
      .set({ outcome })
      .where(
        and(
          eq(takedownTasks.schoolId, schoolId),
          eq(takedownTasks.publicationId, publicationId),
          eq(takedownTasks.automatic, true),
          eq(takedownTasks.state, 'done'),
        ),
      );
  }

  /** The takedown tasks for a pupil made since a moment (a statement's), with their channel. */
  async tasksOfPupilSince(
    db: Db,
    schoolId: string,
    pupilId: string,
    since: Date,
  ): Promise<
    { publicationId: string; accountName: string; automatic: boolean; dueAt: Date; state: string }[]
  > {
    return db
      .select({
        publicationId: takedownTasks.publicationId,
        accountName: channelAccounts.name,
        automatic: takedownTasks.automatic,
        dueAt: takedownTasks.dueAt,
        state: takedownTasks.state,
      })
      .from(takedownTasks)
      .innerJoin(publications, eq(publications.id, takedownTasks.publicationId))
      .innerJoin(channelAccounts, eq(channelAccounts.id, publications.accountId))
      .where(
        and(
          eq(takedownTasks.schoolId, schoolId),
          eq(takedownTasks.pupilId, pupilId),
          gte(takedownTasks.createdAt, since),
        ),
      );
  }

  /** What a pupil's publications are, for a withdrawal receipt: live items by channel name. */
  async liveChannelsOfPupil(
    db: Db,
    schoolId: string,
    pupilId: string,
  ): Promise<{ accountName: string; kind: string; purposeKey: string; count: number }[]> {
    const { rows } = await db.execute<{
      name: string;
      kind: string;
      purpose_key: string;
      n: string;
    }>(sql`
      SELECT a.name, a.kind, p.purpose_key, count(*) AS n
        FROM publication_pupils pp
        JOIN publications p ON p.id = pp.publication_id AND p.school_id = ${schoolId}
        JOIN channel_accounts a ON a.id = p.account_id AND a.school_id = ${schoolId}
       WHERE pp.school_id = ${schoolId} AND pp.pupil_id = ${pupilId}
         AND p.state IN ('queued', 'delivering', 'live', 'failed')
       GROUP BY a.name, a.kind, p.purpose_key
       ORDER BY a.name`);
    return rows.map((r) => ({
      accountName: r.name,
      kind: r.kind,
      purposeKey: r.purpose_key,
      count: Number(r.n),
    }));
  }
}
