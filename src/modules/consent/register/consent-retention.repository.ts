import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { keepNames } from '../../../platform/db/keep-names.ts';
import {
  consentCampaigns,
  consentDrafts,
  consentImports,
  consentReceiptEmails,
  consentRecords,
  pupilCompetenceAssessments,
} from '../consent.tables.ts';

/**
 * Retention of consent records (issue 16 item 6; `retention.consentRecordsYearsAfterLeaving`):
 * the pupils who have any, so the caller can ask the people directory who left when; and the
 * deletion of one set of pupils' records with their receipts, drafts and competence assessments
 * (append-only: allowed only after `lanyard.retention_delete` is set, migration 0050).
 */
export async function pupilsWithConsentRecords(db: Db, schoolId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: consentRecords.pupilId })
    .from(consentRecords)
    .where(eq(consentRecords.schoolId, schoolId));
  return rows.map((r) => r.id);
}

/** Deletes these pupils' consent records; returns how many and the scans' keys. */
export async function deleteConsentRecordsOf(db: Db, schoolId: string, pupilIds: string[]) {
  if (!pupilIds.length) return { deleted: 0, ids: [] as string[], scanKeys: [] as string[] };
  await db.execute(sql`select set_config('lanyard.retention_delete', 'on', true)`);
  const ids = (
    await db
      .select({ id: consentRecords.id })
      .from(consentRecords)
      .where(and(eq(consentRecords.schoolId, schoolId), inArray(consentRecords.pupilId, pupilIds)))
  ).map((r) => r.id);
  if (ids.length)
    await db
      .delete(consentReceiptEmails)
      .where(
        and(
          eq(consentReceiptEmails.schoolId, schoolId),
          inArray(consentReceiptEmails.recordId, ids),
        ),
      );
  await db.delete(consentDrafts).where(inArray(consentDrafts.pupilId, pupilIds));
  await db
    .delete(pupilCompetenceAssessments)
    .where(
      and(
        eq(pupilCompetenceAssessments.schoolId, schoolId),
        inArray(pupilCompetenceAssessments.pupilId, pupilIds),
      ),
    );
  const gone = await db
    .delete(consentRecords)
    .where(and(eq(consentRecords.schoolId, schoolId), inArray(consentRecords.pupilId, pupilIds)))
    .returning({ id: consentRecords.id, key: consentRecords.evidenceKey });
  return {
    deleted: gone.length,
    ids: gone.map((g) => g.id),
    scanKeys: gone.flatMap((g) => (g.key ? [g.key] : [])),
  };
}

/**
 * Staff named as who recorded a consent record still kept (no foreign key says so): the retention
 * sweep keeps a former member of staff's own record while these name them, so the consent record
 * still says who took the decision down. School-scoped; one statement.
 */
export async function staffWhoRecordedConsent(db: Db, schoolId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: consentRecords.recordedById })
    .from(consentRecords)
    .where(
      and(
        eq(consentRecords.schoolId, schoolId),
        eq(consentRecords.recordedByKind, 'staff'),
        sql`${consentRecords.recordedById} IS NOT NULL`,
      ),
    );
  return rows.flatMap((r) => (r.id ? [r.id] : []));
}

/**
 * Consent records the school keeps for good (no rule deletes them) that name a member of staff
 * with no foreign key: who started a renewal campaign, who uploaded or confirmed an import of
 * existing consents. When the retention sweep deletes a former member of staff's own record,
 * these keep their name in words (`names`: id → name) beside the id. Returns the rows written.
 */
export async function keepFormerStaffNamesInConsent(
  db: Db,
  schoolId: string,
  names: ReadonlyMap<string, string>,
): Promise<number> {
  const c = consentCampaigns;
  const i = consentImports;
  let n = 0;
  for (const [table, id, name] of [
    [c, c.startedBy, c.startedByName],
    [i, i.createdBy, i.createdByName],
    [i, i.confirmedBy, i.confirmedByName],
  ] as const)
    n += await keepNames(db, table, { schoolId: table.schoolId, id, name }, schoolId, names);
  return n;
}
