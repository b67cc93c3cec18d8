import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import {
  consentCampaigns,
  consentDrafts,
  consentReceiptEmails,
  consentRecords,
} from '../consent.tables.ts';

export type ConsentDraftRow = typeof consentDrafts.$inferSelect;

/** Whose unconfirmed answers: one draft per pupil × decider × period. */
export interface DraftKey {
  schoolId: string;
  pupilId: string;
  deciderKind: 'parent' | 'pupil';
  deciderId: string;
  periodKey: string;
}

function keyWhere(k: DraftKey) {
  return and(
    eq(consentDrafts.schoolId, k.schoolId),
    eq(consentDrafts.pupilId, k.pupilId),
    eq(consentDrafts.deciderKind, k.deciderKind),
    eq(consentDrafts.deciderId, k.deciderId),
    eq(consentDrafts.periodKey, k.periodKey),
  );
}

/** The parents' online form: drafts of answers not yet confirmed, and open campaigns. */
export class ConsentFormRepository {
  /**
   * Claims the receipt email of a record for sending: true for the first caller. A concurrent
   * claim waits for this transaction, so an email is sent once unless its sending fails (then
   * the claim rolls back with it, and the job tries again).
   */
  async claimReceiptEmail(db: Db, schoolId: string, recordId: string, at: Date): Promise<boolean> {
    const rows = await db
      .insert(consentReceiptEmails)
      .values({ recordId, schoolId, sentAt: at })
      .onConflictDoNothing()
      .returning({ recordId: consentReceiptEmails.recordId });
    return rows.length === 1;
  }

  /** Saves (or replaces) the answers for one child, one decider, one period. */
  async upsertDraft(
    db: Db,
    key: DraftKey,
    answers: Record<string, string>,
    now: Date,
  ): Promise<void> {
    await db
      .insert(consentDrafts)
      .values({ ...key, answers, updatedAt: now })
      .onConflictDoUpdate({
        target: [
          consentDrafts.pupilId,
          consentDrafts.deciderKind,
          consentDrafts.deciderId,
          consentDrafts.periodKey,
        ],
        set: { answers, updatedAt: now },
        // The primary key does not include the school: never overwrite another school's row.
        setWhere: eq(consentDrafts.schoolId, key.schoolId),
      });
  }

  async getDraft(db: Db, key: DraftKey): Promise<ConsentDraftRow | undefined> {
    const rows = await db.select().from(consentDrafts).where(keyWhere(key)).limit(1);
    return rows[0];
  }

  async deleteDraft(db: Db, key: DraftKey): Promise<void> {
    await db.delete(consentDrafts).where(keyWhere(key));
  }

  /** Every draft one decider has for these pupils (the family page's "in progress"). */
  async draftsFor(
    db: Db,
    schoolId: string,
    deciderKind: 'parent' | 'pupil',
    deciderId: string,
    pupilIds: readonly string[],
  ): Promise<ConsentDraftRow[]> {
    if (pupilIds.length === 0) return [];
    return db
      .select()
      .from(consentDrafts)
      .where(
        and(
          eq(consentDrafts.schoolId, schoolId),
          eq(consentDrafts.deciderKind, deciderKind),
          eq(consentDrafts.deciderId, deciderId),
          inArray(consentDrafts.pupilId, [...pupilIds]),
        ),
      );
  }

  /** The record with this receipt reference (stored form, "K7M4Q2PX") in the school, if any. */
  async recordIdByReference(db: Db, schoolId: string, reference: string): Promise<string | null> {
    const rows = await db
      .select({ id: consentRecords.id })
      .from(consentRecords)
      .where(
        and(eq(consentRecords.schoolId, schoolId), eq(consentRecords.receiptReference, reference)),
      )
      .limit(1);
    return rows[0]?.id ?? null;
  }

  /** The period keys of the school's campaigns that are still open. */
  async openCampaignPeriods(db: Db, schoolId: string): Promise<string[]> {
    const rows = await db
      .select({ periodKey: consentCampaigns.periodKey })
      .from(consentCampaigns)
      .where(and(eq(consentCampaigns.schoolId, schoolId), isNull(consentCampaigns.closedAt)));
    return rows.map((r) => r.periodKey);
  }
}
