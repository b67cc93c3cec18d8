import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import { consentCampaigns } from '../consent.tables.ts';

export type CampaignRow = typeof consentCampaigns.$inferSelect;

/**
 * A pupil "has returned a form" for a period when any record for that period answers at least
 * one question yes or no ("not returned" is not a returned form).
 */
const returnedDecision = sql`EXISTS (SELECT 1 FROM jsonb_each_text(r.decisions) d
  WHERE d.value IN ('granted', 'refused'))`;

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
 * Renewal campaigns and their requests (one per parent). The roll, the parents and their links
 * are people's: read through `PeopleDirectory` in batches (one statement each) and combined with
 * the consent records here, in memory or as ids passed to the statement.
 */
export class ConsentCampaignRepository {
  constructor(private readonly people: PeopleDirectory) {}

  async schoolIds(db: Db, onlySchoolId?: string): Promise<string[]> {
    if (onlySchoolId) {
      const school = await this.people.getSchool(db, onlySchoolId);
      return school ? [school.id] : [];
    }
    return (await this.people.listSchools(db)).map((s) => s.id).sort();
  }

  /** Pupils with a returned form for the period (consent's own records). */
  private async returnedPupils(db: Db, schoolId: string, periodKey: string): Promise<Set<string>> {
    const result = await db.execute(sql`
      SELECT DISTINCT r.pupil_id AS id FROM consent_records r
      WHERE r.school_id = ${schoolId} AND r.period_key = ${periodKey} AND ${returnedDecision}`);
    return new Set(rowsOf<{ id: string }>(result).map((r) => r.id));
  }

  /** Parents (with responsibility) who still have a child on roll without a returned form. */
  private async parentsStillLacking(
    db: Db,
    campaign: CampaignRow,
    today: string,
  ): Promise<string[]> {
    const [links, returned] = await Promise.all([
      this.people.responsibleParentsOnRoll(db, campaign.schoolId, today),
      this.returnedPupils(db, campaign.schoolId, campaign.periodKey),
    ]);
    return [...new Set(links.filter((l) => !returned.has(l.pupilId)).map((l) => l.parentId))];
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
    const pupils = (await this.people.pupilIdsOnRoll(db, schoolId, today)).length;
    const links = await this.people.responsibleParentsOnRoll(db, schoolId, today);
    return { pupils, parentIds: [...new Set(links.map((l) => l.parentId))].sort() };
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
    const lacking = await this.parentsStillLacking(db, campaign, today);
    if (lacking.length === 0) return [];
    const result = await db.execute(sql`
      WITH due AS (
        SELECT q.id, q.last_sent_at FROM consent_requests q
        WHERE q.campaign_id = ${campaign.id} AND q.completed_at IS NULL
          AND q.first_sent_at IS NOT NULL AND q.last_sent_at <= ${cutoff}
          AND q.parent_id = ANY(${sql.param(lacking)}::uuid[])
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
    const lacking = await this.parentsStillLacking(db, campaign, today);
    const result = await db.execute(sql`
      UPDATE consent_requests q SET completed_at = ${now}
      WHERE q.campaign_id = ${campaign.id} AND q.completed_at IS NULL
        AND NOT (q.parent_id = ANY(${sql.param(lacking)}::uuid[]))
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
    if (campaigns.length === 0) return [];
    // The roll once for every campaign on the page.
    const onRoll = await this.people.pupilIdsOnRoll(db, schoolId, today);
    const out: CampaignProgress[] = [];
    for (const campaign of campaigns) out.push(await this.progressOf(db, campaign, onRoll));
    return out;
  }

  async progress(db: Db, campaign: CampaignRow, today: string): Promise<CampaignProgress> {
    const onRoll = await this.people.pupilIdsOnRoll(db, campaign.schoolId, today);
    return this.progressOf(db, campaign, onRoll);
  }

  private async progressOf(
    db: Db,
    campaign: CampaignRow,
    onRoll: readonly string[],
  ): Promise<CampaignProgress> {
    const [returned, requests] = await Promise.all([
      this.returnedPupils(db, campaign.schoolId, campaign.periodKey),
      db.execute(sql`
        SELECT count(*)::int AS requests,
          (count(*) FILTER (WHERE first_sent_at IS NOT NULL))::int AS sent,
          (count(*) FILTER (WHERE completed_at IS NOT NULL))::int AS completed
        FROM consent_requests WHERE campaign_id = ${campaign.id}`),
    ]);
    const r = requests.rows[0] as { requests: number; sent: number; completed: number };
    return {
      campaign,
      onRoll: onRoll.length,
      returned: onRoll.filter((id) => returned.has(id)).length,
      ...r,
    };
  }

  /** Pupils on roll with no returned form for the period, by class, with their parents. */
  async chaserList(db: Db, campaign: CampaignRow, today: string): Promise<ChaserRow[]> {
    const [roll, returned] = await Promise.all([
      this.people.pupilsOnRoll(db, campaign.schoolId, today),
      this.returnedPupils(db, campaign.schoolId, campaign.periodKey),
    ]);
    const lacking = roll.filter((p) => !returned.has(p.id));
    if (lacking.length === 0) return [];
    const [parents, requests] = await Promise.all([
      this.people.responsibleParentsOf(
        db,
        campaign.schoolId,
        lacking.map((p) => p.id),
      ),
      db.execute(sql`
        SELECT parent_id AS "parentId", to_json(first_sent_at) AS "firstSentAt",
          to_json(last_sent_at) AS "lastSentAt", reminders_sent AS "remindersSent"
        FROM consent_requests WHERE campaign_id = ${campaign.id}`),
    ]);
    const requestOf = new Map(
      rowsOf<{
        parentId: string;
        firstSentAt: string | null;
        lastSentAt: string | null;
        remindersSent: number | null;
      }>(requests).map((q) => [q.parentId, q]),
    );
    const parentsOf = new Map<string, ChaserRow['parents']>();
    for (const pa of parents) {
      const q = requestOf.get(pa.parentId);
      const list = parentsOf.get(pa.pupilId) ?? [];
      list.push({
        id: pa.parentId,
        name: `${pa.givenName} ${pa.familyName}`,
        relationship: pa.relationship,
        email: pa.email,
        phone: pa.phone,
        firstSentAt: q?.firstSentAt ?? null,
        lastSentAt: q?.lastSentAt ?? null,
        remindersSent: q?.remindersSent ?? 0,
      });
      parentsOf.set(pa.pupilId, list);
    }
    return lacking.map((p) => ({
      pupilId: p.id,
      givenName: p.givenName,
      familyName: p.familyName,
      yearGroup: p.yearGroup,
      className: p.className,
      parents: parentsOf.get(p.id) ?? [],
    }));
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
