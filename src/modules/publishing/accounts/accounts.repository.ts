import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import {
  channelAccountPosters,
  channelAccounts,
  credentialHandovers,
  webhookDeliveries,
} from '../publishing.tables.ts';
import type { WebhookAttempt } from './webhook-adapter.ts';

export type ChannelAccountRow = typeof channelAccounts.$inferSelect;
export type NewChannelAccount = typeof channelAccounts.$inferInsert;

/** Queries on the school's channels; every one is scoped by school. */
export class AccountsRepository {
  async list(db: Db, schoolId: string): Promise<(ChannelAccountRow & { posters: number })[]> {
    const rows = await db
      .select({
        a: channelAccounts,
        posters: sql<number>`(select count(*)::int from ${channelAccountPosters} p where p.account_id = ${channelAccounts.id})`,
      })
      .from(channelAccounts)
      .where(eq(channelAccounts.schoolId, schoolId))
      .orderBy(
        desc(channelAccounts.active),
        sql`${channelAccounts.kind} <> 'news'`,
        asc(channelAccounts.name),
        asc(channelAccounts.id),
      );
    return rows.map((r) => ({ ...r.a, posters: r.posters }));
  }

  async getById(db: Db, schoolId: string, id: string): Promise<ChannelAccountRow | undefined> {
    const rows = await db
      .select()
      .from(channelAccounts)
      .where(and(eq(channelAccounts.schoolId, schoolId), eq(channelAccounts.id, id)))
      .limit(1);
    return rows[0];
  }

  async getForUpdate(db: Db, schoolId: string, id: string): Promise<ChannelAccountRow | undefined> {
    const rows = await db
      .select()
      .from(channelAccounts)
      .where(and(eq(channelAccounts.schoolId, schoolId), eq(channelAccounts.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  async getNews(db: Db, schoolId: string): Promise<ChannelAccountRow | undefined> {
    const rows = await db
      .select()
      .from(channelAccounts)
      .where(and(eq(channelAccounts.schoolId, schoolId), eq(channelAccounts.kind, 'news')))
      .limit(1);
    return rows[0];
  }

  /** Inserts the built-in news channel unless the school has one (a concurrent insert wins). */
  async insertNewsIfMissing(
    db: Db,
    values: NewChannelAccount,
  ): Promise<ChannelAccountRow | undefined> {
    const rows = await db
      .insert(channelAccounts)
      .values(values)
      .onConflictDoNothing({
        target: channelAccounts.schoolId,
        where: sql`${channelAccounts.kind} = 'news'`,
      })
      .returning();
    return rows[0];
  }

  async create(db: Db, values: NewChannelAccount): Promise<ChannelAccountRow> {
    const rows = await db.insert(channelAccounts).values(values).returning();
    return rows[0]!;
  }

  async update(
    db: Db,
    schoolId: string,
    id: string,
    values: Partial<NewChannelAccount>,
  ): Promise<void> {
    await db
      .update(channelAccounts)
      // The services' clock when the caller gives it (the demo replays a week), else the database's.
      .set({ ...values, updatedAt: values.updatedAt ?? sql`now()` })
      .where(and(eq(channelAccounts.schoolId, schoolId), eq(channelAccounts.id, id)));
  }

  /** Who may post to the account (ids; the people module names them). */
  async posters(
    db: Db,
    schoolId: string,
    accountId: string,
  ): Promise<{ staffId: string; addedAt: Date }[]> {
    return db
      .select({ staffId: channelAccountPosters.staffId, addedAt: channelAccountPosters.addedAt })
      .from(channelAccountPosters)
      .where(
        and(
          eq(channelAccountPosters.schoolId, schoolId),
          eq(channelAccountPosters.accountId, accountId),
        ),
      )
      .orderBy(asc(channelAccountPosters.addedAt), asc(channelAccountPosters.staffId));
  }

  /** True when a row was added (false: already authorised). */
  async addPoster(
    db: Db,
    values: {
      schoolId: string;
      accountId: string;
      staffId: string;
      addedBy: string | null;
      addedAt: Date;
    },
  ): Promise<boolean> {
    const rows = await db
      .insert(channelAccountPosters)
      .values(values)
      .onConflictDoNothing()
      .returning({ staffId: channelAccountPosters.staffId });
    return rows.length > 0;
  }

  async removePoster(
    db: Db,
    schoolId: string,
    accountId: string,
    staffId: string,
  ): Promise<boolean> {
    const rows = await db
      .delete(channelAccountPosters)
      .where(
        and(
          eq(channelAccountPosters.schoolId, schoolId),
          eq(channelAccountPosters.accountId, accountId),
          eq(channelAccountPosters.staffId, staffId),
        ),
      )
      .returning({ staffId: channelAccountPosters.staffId });
    return rows.length > 0;
  }

  async isPoster(db: Db, schoolId: string, accountId: string, staffId: string): Promise<boolean> {
    const rows = await db
      .select({ one: sql<number>`1` })
      .from(channelAccountPosters)
      .where(
        and(
          eq(channelAccountPosters.schoolId, schoolId),
          eq(channelAccountPosters.accountId, accountId),
          eq(channelAccountPosters.staffId, staffId),
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  /** The accounts of the school this person is authorised to post to. */
  async accountsOfPoster(db: Db, schoolId: string, staffId: string): Promise<string[]> {
    const rows = await db
      .select({ id: channelAccountPosters.accountId })
      .from(channelAccountPosters)
      .where(
        and(
          eq(channelAccountPosters.schoolId, schoolId),
          eq(channelAccountPosters.staffId, staffId),
        ),
      );
    return rows.map((r) => r.id);
  }

  async handovers(db: Db, schoolId: string, accountId: string) {
    return db
      .select({
        id: credentialHandovers.id,
        fromStaffId: credentialHandovers.fromStaffId,
        toStaffId: credentialHandovers.toStaffId,
        at: credentialHandovers.at,
        reason: credentialHandovers.reason,
        recordedBy: credentialHandovers.recordedBy,
      })
      .from(credentialHandovers)
      .where(
        and(
          eq(credentialHandovers.schoolId, schoolId),
          eq(credentialHandovers.accountId, accountId),
        ),
      )
      .orderBy(desc(credentialHandovers.at), desc(credentialHandovers.id));
  }

  async insertHandover(db: Db, values: typeof credentialHandovers.$inferInsert): Promise<string> {
    const rows = await db
      .insert(credentialHandovers)
      .values(values)
      .returning({ id: credentialHandovers.id });
    return rows[0]!.id;
  }

  /** The newest delivery attempts to a webhook channel, for its page. */
  async deliveries(db: Db, schoolId: string, accountId: string, limit: number) {
    return db
      .select({
        id: webhookDeliveries.id,
        publicationId: webhookDeliveries.publicationId,
        event: webhookDeliveries.event,
        webhookId: webhookDeliveries.webhookId,
        statusCode: webhookDeliveries.statusCode,
        attempt: webhookDeliveries.attempt,
        error: webhookDeliveries.error,
        at: webhookDeliveries.at,
      })
      .from(webhookDeliveries)
      .where(
        and(eq(webhookDeliveries.schoolId, schoolId), eq(webhookDeliveries.accountId, accountId)),
      )
      .orderBy(desc(webhookDeliveries.at), desc(webhookDeliveries.attempt))
      .limit(limit);
  }

  /**
   * One delivery attempt. Its number counts the earlier attempts of the same message; the
   * publication is linked only when it is this school's (a removal names it by its remote id).
   */
  async recordDelivery(db: Db, a: WebhookAttempt): Promise<void> {
    await db.execute(sql`
      insert into webhook_deliveries
        (school_id, account_id, publication_id, event, webhook_id, status_code, attempt, error, at)
      select ${a.schoolId}, ${a.accountId},
        (select id from publications
          where school_id = ${a.schoolId}
            and id::text = ${a.publicationId ?? ''}),
        ${a.event}, ${a.webhookId}, ${a.statusCode}::int,
        1 + (select count(*)::int from webhook_deliveries
              where account_id = ${a.accountId} and webhook_id = ${a.webhookId}),
        ${a.error}, ${a.at.toISOString()}::timestamptz`);
  }
}
