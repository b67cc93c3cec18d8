import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { schools } from '../../people/people.tables.ts';
import { consentCampaigns } from '../consent.tables.ts';

export type CampaignRow = typeof consentCampaigns.$inferSelect;

/**
 * A pupil (`p`) "has returned a form" for a period when any record for that period answers at
 * least one question yes or no ("not returned" is not a returned form).
 */
const returned = (period: string): SQL => sql`EXISTS (
  SELECT 1 FROM consent_records r
  WHERE r.pupil_id = p.id AND r.period_key = ${period}
    AND EXISTS (SELECT 1 FROM jsonb_each_text(r.decisions) d WHERE d.value IN ('granted', 'refused')))`;

/** The pupil `p` is on roll on `today`. */
const onRoll = (today: string): SQL =>
  sql`(p.leaving_date IS NULL OR p.leaving_date > ${today}::date)`;

export interface ChaserRow {
  pupilId: string;
  givenName: string;
  familyName: string;
  yearGroup: string;
  className: string | null;
  parents: {
    id: string;
    name: string;
    relationship: string | null;
    email: string | null;
    phone: string | null;
    firstSentAt: string | null;
    lastSentAt: string | null;
    remindersSent: number;
  }[];
}

export interface CampaignProgress {
  campaign: CampaignRow;
  onRoll: number;
  returned: number;
  requests: number;
  sent: number;
  completed: number;
}

function rowsOf<T>(result: { rows: unknown[] }): T[] {
  return result.rows as T[];
}

/**
 * Renewal campaigns and their requests (one per parent). Read-only joins across the people
 * tables and consent records, as the consent read model does (docs/adr/0006).
 */
export class ConsentCampaignRepository {
  async schoolIds(db: Db, onlySchoolId?: string): Promise<string[]> {
    const rows = await db
      .select({ id: schools.id })
      .from(schools)
      .where(onlySchoolId ? eq(schools.id, onlySchoolId) : undefined)
      .orderBy(asc(schools.id));
    return rows.map((r) => r.id);
  }

  /** Serialises campaign starts and period expiry for one school (held to the transaction's end). */
  async lockSchool(db: Db, schoolId: string): Promise<void> {
    await db.execute(
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`consent-campaign:${schoolId}`}, 0))`,
    );
  }

  async getByPeriod(db: Db, schoolId: string, periodKey: string): Promise<CampaignRow | undefined> {
    const rows = await db
      .select()
      .from(consentCampaigns)
      .where(
        and(eq(consentCampaigns.schoolId, schoolId), eq(consentCampaigns.periodKey, periodKey)),
      )
      .limit(1);
    return rows[0];
  }

  async get(db: Db, schoolId: string, id: string): Promise<CampaignRow | undefined> {
    const rows = await db
      .select()
      .from(consentCampaigns)
      .where(and(eq(consentCampaigns.schoolId, schoolId), eq(consentCampaigns.id, id)))
      .limit(1);
    return rows[0];
  }

  async create(
    db: Db,
    values: typeof consentCampaigns.$inferInsert,
  ): Promise<CampaignRow | undefined> {
    const rows = await db.insert(consentCampaigns).values(values).onConflictDoNothing().returning();
    return rows[0];
  }

  async close(db: Db, id: string, at: Date): Promise<boolean> {
    const rows = await db
      .update(consentCampaigns)
      .set({ closedAt: at })
      .where(and(eq(consentCampaigns.id, id), isNull(consentCampaigns.closedAt)))
      .returning({ id: consentCampaigns.id });
    return rows.length > 0;
  }

  async openCampaigns(db: Db, onlySchoolId?: string): Promise<CampaignRow[]> {
    return db
      .select()
      .from(consentCampaigns)
      .where(
        and(
          isNull(consentCampaigns.closedAt),
          onlySchoolId ? eq(consentCampaigns.schoolId, onlySchoolId) : undefined,
        ),
      )
      .orderBy(asc(consentCampaigns.startedAt));
  }

  /** Pupils on roll, and the parents with parental responsibility among them (distinct). */
  async rollAndParents(
    db: Db,
    schoolId: string,
    today: string,
  ): Promise<{ pupils: number; parentIds: string[] }> {
    const pupils = await db.execute(
      sql`SELECT count(*)::int AS n FROM pupils p WHERE p.school_id = ${schoolId} AND ${onRoll(today)}`,
    );
    const parents = await db.execute(sql`
      SELECT DISTINCT pp.parent_id AS id FROM pupil_parents pp JOIN pupils p ON p.id = pp.pupil_id
      WHERE pp.school_id = ${schoolId} AND pp.parental_responsibility
        AND (p.leaving_date IS NULL OR p.leaving_date > ${today}::date)
      ORDER BY pp.parent_id`);
    return {
      pupils: (pupils.rows[0] as { n: number }).n,
      parentIds: rowsOf<{ id: string }>(parents).map((r) => r.id),
    };
  }

  /** One request per parent (existing ones kept). Returns how many were added. */
  async addRequests(
    db: Db,
    schoolId: string,
    campaignId: string,
    parentIds: readonly string[],
  ): Promise<number> {
    if (parentIds.length === 0) return 0;
    const result = await db.execute(sql`
      INSERT INTO consent_requests (school_id, campaign_id, parent_id)
      SELECT ${schoolId}, ${campaignId}, unnest(${sql.param([...parentIds])}::uuid[])
      ON CONFLICT (campaign_id, parent_id) DO NOTHING
      RETURNING id`);
    return result.rows.length;
  }

  /** Marks every unsent request as sent now and returns them: the caller sends (or un-claims). */
  async claimUnsent(
    db: Db,
    campaignId: string,
    now: Date,
  ): Promise<{ id: string; parentId: string }[]> {
    const result = await db.execute(sql`
      UPDATE consent_requests SET first_sent_at = ${now}, last_sent_at = ${now}
      WHERE campaign_id = ${campaignId} AND first_sent_at IS NULL AND completed_at IS NULL
      RETURNING id, parent_id AS "parentId"`);
    return rowsOf(result);
  }

  async unclaimInvitation(db: Db, requestId: string): Promise<void> {
    await db.execute(sql`
      UPDATE consent_requests SET first_sent_at = NULL, last_sent_at = NULL WHERE id = ${requestId}`);
  }

  /**
   * Requests whose parent still has a child on roll without a returned form, whose last email
   * was at or before `cutoff`: marked as reminded now and returned with the previous time (so a
   * failed send can be put back).
   */
  async claimReminders(
    db: Db,
    campaign: CampaignRow,
    cutoff: Date,
    now: Date,
    today: string,
  ): Promise<{ id: string; parentId: string; previous: string }[]> {
    const result = await db.execute(sql`
      WITH due AS (
        SELECT q.id, q.last_sent_at FROM consent_requests q
        WHERE q.campaign_id = ${campaign.id} AND q.completed_at IS NULL
          AND q.first_sent_at IS NOT NULL AND q.last_sent_at <= ${cutoff}
          AND EXISTS (
            SELECT 1 FROM pupil_parents pp JOIN pupils p ON p.id = pp.pupil_id
            WHERE pp.parent_id = q.parent_id AND pp.parental_responsibility
              AND ${onRoll(today)} AND NOT ${returned(campaign.periodKey)})
        FOR UPDATE OF q SKIP LOCKED
      )
      UPDATE consent_requests q SET last_sent_at = ${now}, reminders_sent = q.reminders_sent + 1
      FROM due WHERE q.id = due.id
      RETURNING q.id, q.parent_id AS "parentId", due.last_sent_at::text AS previous`);
    return rowsOf(result);
  }

  async unclaimReminder(db: Db, requestId: string, previous: string): Promise<void> {
    await db.execute(sql`
      UPDATE consent_requests SET last_sent_at = ${previous}, reminders_sent = reminders_sent - 1
      WHERE id = ${requestId}`);
  }

  /** Completes the requests of parents none of whose children on roll still lacks a form. */
  async completeReturned(db: Db, campaign: CampaignRow, now: Date, today: string): Promise<number> {
    const result = await db.execute(sql`
      UPDATE consent_requests q SET completed_at = ${now}
      WHERE q.campaign_id = ${campaign.id} AND q.completed_at IS NULL
        AND NOT EXISTS (
          SELECT 1 FROM pupil_parents pp JOIN pupils p ON p.id = pp.pupil_id
          WHERE pp.parent_id = q.parent_id AND pp.parental_responsibility
            AND ${onRoll(today)} AND NOT ${returned(campaign.periodKey)})
      RETURNING q.id`);
    return result.rows.length;
  }

  /** Every campaign of the school, newest first, with progress (returned / on roll). */
  async listWithProgress(db: Db, schoolId: string, today: string): Promise<CampaignProgress[]> {
    const campaigns = await db
      .select()
      .from(consentCampaigns)
      .where(eq(consentCampaigns.schoolId, schoolId))
      .orderBy(desc(consentCampaigns.startedAt));
    const out: CampaignProgress[] = [];
    for (const campaign of campaigns) out.push(await this.progress(db, campaign, today));
    return out;
  }

  async progress(db: Db, campaign: CampaignRow, today: string): Promise<CampaignProgress> {
    const counts = await db.execute(sql`
      SELECT count(*)::int AS "onRoll",
        (count(*) FILTER (WHERE ${returned(campaign.periodKey)}))::int AS returned
      FROM pupils p WHERE p.school_id = ${campaign.schoolId} AND ${onRoll(today)}`);
    const requests = await db.execute(sql`
      SELECT count(*)::int AS requests,
        (count(*) FILTER (WHERE first_sent_at IS NOT NULL))::int AS sent,
        (count(*) FILTER (WHERE completed_at IS NOT NULL))::int AS completed
      FROM consent_requests WHERE campaign_id = ${campaign.id}`);
    const c = counts.rows[0] as { onRoll: number; returned: number };
    const r = requests.rows[0] as { requests: number; sent: number; completed: number };
    return { campaign, ...c, ...r };
  }

  /** Pupils on roll with no returned form for the period, by class, with their parents. */
  async chaserList(db: Db, campaign: CampaignRow, today: string): Promise<ChaserRow[]> {
    const result = await db.execute(sql`
      SELECT p.id AS "pupilId", p.given_name AS "givenName", p.family_name AS "familyName",
        p.year_group AS "yearGroup", p.class_name AS "className",
        COALESCE((
          SELECT json_agg(json_build_object(
            'id', pa.id, 'name', pa.given_name || ' ' || pa.family_name,
            'relationship', pp.relationship, 'email', pa.email, 'phone', pa.phone,
            'firstSentAt', q.first_sent_at, 'lastSentAt', q.last_sent_at,
            'remindersSent', COALESCE(q.reminders_sent, 0))
            ORDER BY pa.family_name, pa.given_name)
          FROM pupil_parents pp JOIN parents pa ON pa.id = pp.parent_id
          LEFT JOIN consent_requests q ON q.campaign_id = ${campaign.id} AND q.parent_id = pa.id
          WHERE pp.pupil_id = p.id AND pp.parental_responsibility), '[]') AS parents
      FROM pupils p
      WHERE p.school_id = ${campaign.schoolId} AND ${onRoll(today)}
        AND NOT ${returned(campaign.periodKey)}
      ORDER BY p.class_name NULLS LAST, p.family_name, p.given_name, p.id`);
    return rowsOf<ChaserRow>(result);
  }

  /** Records for a period that has ended: how many, for how many pupils. */
  async periodCounts(
    db: Db,
    schoolId: string,
    periodKey: string,
  ): Promise<{ records: number; pupils: number }> {
    const result = await db.execute(sql`
      SELECT count(*)::int AS records, count(DISTINCT pupil_id)::int AS pupils
      FROM consent_records WHERE school_id = ${schoolId} AND period_key = ${periodKey}`);
    return result.rows[0] as { records: number; pupils: number };
  }
}
