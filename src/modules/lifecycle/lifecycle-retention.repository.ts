import { eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { keepNames } from '../../platform/db/keep-names.ts';
import { policyReviews, policyTexts } from './lifecycle.tables.ts';

/**
 * Retention (issue 16 item 6): staff who recorded or approved a review of the policy. Reviews are
 * the school's governance record and are kept; no foreign key names the staff, so the retention
 * sweep asks here and keeps a former member of staff's own record while a review names them.
 * School-scoped; one statement.
 */
export async function staffNamedInPolicyReviews(db: Db, schoolId: string): Promise<string[]> {
  const rows = await db
    .select({ recordedBy: policyReviews.recordedBy, approvedBy: policyReviews.approvedBy })
    .from(policyReviews)
    .where(eq(policyReviews.schoolId, schoolId));
  return [
    ...new Set(rows.flatMap((r) => (r.approvedBy ? [r.recordedBy, r.approvedBy] : [r.recordedBy]))),
  ];
}

/**
 * The policy's texts (each version's, kept for good: the school's record of what its policy said)
 * name who wrote them with no foreign key. When the retention sweep deletes a former member of
 * staff's own record, the text keeps their name in words (`names`: id → name). Returns the rows
 * written.
 */
export async function keepFormerStaffNamesInPolicyTexts(
  db: Db,
  schoolId: string,
  names: ReadonlyMap<string, string>,
): Promise<number> {
  const t = policyTexts;
  return keepNames(
    db,
    t,
    { schoolId: t.schoolId, id: t.createdBy, name: t.createdByName },
    schoolId,
    names,
  );
}
