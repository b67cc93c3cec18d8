import { and, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { keepNames } from '../../platform/db/keep-names.ts';
import {
  policyAcknowledgementSupersessions,
  policyAcknowledgements,
} from './acknowledgements.tables.ts';
import { policyAcknowledgementReminders, policyVersionKinds } from './version-kinds.tables.ts';

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

/**
 * Staff who recorded a kept acknowledgement by a member of staff or a parent other than
 * themselves (no foreign key names them): the retention sweep keeps their own record while the
 * acknowledgement is kept, i.e. while that person's own record is. School-scoped; one statement.
 */
export async function staffWhoRecordedAcknowledgements(
  db: Db,
  schoolId: string,
): Promise<string[]> {
  const a = policyAcknowledgements;
  const rows = await db
    .selectDistinct({ id: a.recordedBy })
    .from(a)
    .where(
      and(
        eq(a.schoolId, schoolId),
        inArray(a.personKind, ['staff', 'parent']),
        isNotNull(a.recordedBy),
        ne(a.recordedBy, a.personId),
      ),
    );
  return rows.flatMap((r) => (r.id ? [r.id] : []));
}

/**
 * Records kept for good that name a member of staff with no foreign key: who decided whether a
 * policy version was a substantive change, and the teacher who recorded a class's agreement to the
 * pupils' rules (class acknowledgements name no person and no rule deletes them). When the
 * retention sweep deletes a former member of staff's own record (after their own
 * acknowledgements, `forgetStaffAcknowledgements`), these keep their name in words
 * (`names`: id → name). Returns the rows written.
 */
export async function keepFormerStaffNamesInAcknowledgements(
  db: Db,
  schoolId: string,
  names: ReadonlyMap<string, string>,
): Promise<number> {
  const k = policyVersionKinds;
  const a = policyAcknowledgements;
  return (
    (await keepNames(
      db,
      k,
      { schoolId: k.schoolId, id: k.decidedBy, name: k.decidedByName },
      schoolId,
      names,
    )) +
    (await keepNames(
      db,
      a,
      { schoolId: a.schoolId, id: a.recordedBy, name: a.recordedByName },
      schoolId,
      names,
    ))
  );
}
