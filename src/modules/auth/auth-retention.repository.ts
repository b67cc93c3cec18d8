import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { apiTokens, sessions, signInLinks } from './auth.tables.ts';
import { STAFF_INVITATION } from './auth-staff-invitations.ts';

/**
 * Retention (issue 16 item 6): when the retention sweep deletes a former member of staff's own
 * record, their ways in go with it, in the sweep's transaction: sessions, one-time links (a staff
 * invitation) and API tokens. Each names that person only and no foreign key ties it to the
 * record. A former member of staff can no longer use any of them anyway (they are inactive).
 */
export async function forgetStaffAccess(
  db: Db,
  schoolId: string,
  staffIds: string[],
): Promise<void> {
  if (!staffIds.length) return;
  await db
    .delete(sessions)
    .where(and(eq(sessions.principalKind, 'staff'), inArray(sessions.principalId, staffIds)));
  await db
    .delete(signInLinks)
    .where(
      and(
        eq(signInLinks.schoolId, schoolId),
        inArray(signInLinks.principalKind, ['staff', STAFF_INVITATION]),
        inArray(signInLinks.principalId, staffIds),
      ),
    );
  await db
    .delete(apiTokens)
    .where(and(eq(apiTokens.schoolId, schoolId), inArray(apiTokens.staffId, staffIds)));
}
