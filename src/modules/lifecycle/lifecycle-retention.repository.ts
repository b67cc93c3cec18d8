import { eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { policyReviews } from './lifecycle.tables.ts';

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
