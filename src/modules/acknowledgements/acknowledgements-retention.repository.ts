import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  policyAcknowledgementSupersessions,
  policyAcknowledgements,
} from './acknowledgements.tables.ts';
import { policyAcknowledgementReminders } from './version-kinds.tables.ts';

/**
 * Retention (issue 16 item 6): when the retention sweep deletes a parent's own record (their child
 * left long enough ago and nothing kept names them), their acknowledgements of the parents'
 * guidance and the reminders sent to them go with it, in the sweep's transaction: they are about
 * that parent only and no foreign key ties them to the record. Returns how many acknowledgements
 * were deleted.
 */
export async function forgetParentsAcknowledgements(
  db: Db,
  schoolId: string,
  parentIds: string[],
): Promise<number> {
  return forgetAcknowledgementsOf(db, schoolId, 'parent', parentIds);
}

/**
 * The same for a former member of staff whose own record the sweep deleted (they left long enough
 * ago and nothing kept names them): their acknowledgements of the staff policy and reminders.
 */
export async function forgetStaffAcknowledgements(
  db: Db,
  schoolId: string,
  staffIds: string[],
): Promise<number> {
  return forgetAcknowledgementsOf(db, schoolId, 'staff', staffIds);
}

async function forgetAcknowledgementsOf(
  db: Db,
  schoolId: string,
  personKind: 'parent' | 'staff',
  personIds: string[],
): Promise<number> {
  if (!personIds.length) return 0;
  const theirs = and(
    eq(policyAcknowledgements.schoolId, schoolId),
    eq(policyAcknowledgements.personKind, personKind),
    inArray(policyAcknowledgements.personId, personIds),
  );
  const ids = (
    await db.select({ id: policyAcknowledgements.id }).from(policyAcknowledgements).where(theirs)
  ).map((r) => r.id);
  if (ids.length)
    await db
      .delete(policyAcknowledgementSupersessions)
      .where(
        and(
          eq(policyAcknowledgementSupersessions.schoolId, schoolId),
          inArray(policyAcknowledgementSupersessions.acknowledgementId, ids),
        ),
      );
  const gone = ids.length
    ? await db
        .delete(policyAcknowledgements)
        .where(theirs)
        .returning({ id: policyAcknowledgements.id })
    : [];
  await db
    .delete(policyAcknowledgementReminders)
    .where(
      and(
        eq(policyAcknowledgementReminders.schoolId, schoolId),
        eq(policyAcknowledgementReminders.personKind, personKind),
        inArray(policyAcknowledgementReminders.personId, personIds),
      ),
    );
  return gone.length;
}
