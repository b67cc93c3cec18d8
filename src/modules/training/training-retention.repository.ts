import { and, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { keepNames } from '../../platform/db/keep-names.ts';
import {
  trainingAttendance,
  trainingAttendanceImports,
  trainingBookings,
  trainingClassLessons,
  trainingDueAgain,
  trainingLatest,
  trainingMaterials,
  trainingReminders,
  trainingSessions,
} from './training.tables.ts';

/**
 * Retention of training records (issue 16 item 6; `retention.trainingRecordsYears`): the
 * attendance and parents' bookings of sessions that started before the cut-off (or, for an
 * erasure, one parent's). The sessions themselves (the school's own record of what it ran) are
 * kept, and so is each person's latest date per kind (`training_latest`, what the compliance
 * view reads: a date, not the record).
 */
export async function deleteTrainingBefore(
  db: Db,
  schoolId: string,
  before: Date,
  parentId?: string,
) {
  const sessions = db
    .select({ id: trainingSessions.id })
    .from(trainingSessions)
    .where(and(eq(trainingSessions.schoolId, schoolId), lt(trainingSessions.startsAt, before)));
  const attendance = await db
    .delete(trainingAttendance)
    .where(
      and(
        eq(trainingAttendance.schoolId, schoolId),
        inArray(trainingAttendance.sessionId, sessions),
        parentId
          ? and(
              eq(trainingAttendance.personKind, 'parent'),
              eq(trainingAttendance.personId, parentId),
            )
          : undefined,
      ),
    )
    .returning({ id: trainingAttendance.id });
  const bookings = await db
    .delete(trainingBookings)
    .where(
      and(
        eq(trainingBookings.schoolId, schoolId),
        inArray(trainingBookings.sessionId, sessions),
        parentId ? eq(trainingBookings.parentId, parentId) : undefined,
      ),
    )
    .returning({ id: trainingBookings.id });
  return { attendance: attendance.map((a) => a.id), bookings: bookings.map((b) => b.id) };
}

/**
 * Parents with training attendance or bookings still kept (the retention sweep keeps their own
 * record while these name them: no foreign key says so). School-scoped; one statement.
 */
export async function parentsWithTrainingRecords(db: Db, schoolId: string): Promise<string[]> {
  const rows = await db
    .select({ id: trainingAttendance.personId })
    .from(trainingAttendance)
    .where(
      and(eq(trainingAttendance.schoolId, schoolId), eq(trainingAttendance.personKind, 'parent')),
    )
    .union(
      db
        .select({ id: trainingBookings.parentId })
        .from(trainingBookings)
        .where(eq(trainingBookings.schoolId, schoolId)),
    );
  return rows.map((r) => r.id);
}

/** Drops the latest-date rows of people whose own record the retention sweep deleted. */
export async function forgetTrainingLatest(
  db: Db,
  schoolId: string,
  personKind: 'parent' | 'staff',
  ids: string[],
): Promise<void> {
  if (!ids.length) return;
  await db
    .delete(trainingLatest)
    .where(
      and(
        eq(trainingLatest.schoolId, schoolId),
        eq(trainingLatest.personKind, personKind),
        inArray(trainingLatest.personId, ids),
      ),
    );
}

/**
 * Former staff with training attendance still kept (the retention sweep keeps their own record
 * while it names them, as for parents: no foreign key says so). School-scoped; one statement.
 */
export async function staffWithTrainingRecords(db: Db, schoolId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: trainingAttendance.personId })
    .from(trainingAttendance)
    .where(
      and(eq(trainingAttendance.schoolId, schoolId), eq(trainingAttendance.personKind, 'staff')),
    );
  return rows.map((r) => r.id);
}

/**
 * Drops what training keeps about a member of staff whose own record the retention sweep deleted:
 * their latest dates, "due again" flags and the reminders sent about them (each about that person
 * only; no foreign key ties them to the record).
 */
export async function forgetStaffTraining(
  db: Db,
  schoolId: string,
  staffIds: string[],
): Promise<void> {
  if (!staffIds.length) return;
  await forgetTrainingLatest(db, schoolId, 'staff', staffIds);
  await db
    .delete(trainingDueAgain)
    .where(
      and(eq(trainingDueAgain.schoolId, schoolId), inArray(trainingDueAgain.staffId, staffIds)),
    );
  await db
    .delete(trainingReminders)
    .where(
      and(eq(trainingReminders.schoolId, schoolId), inArray(trainingReminders.staffId, staffIds)),
    );
}

/**
 * Staff who recorded training attendance still kept (taking a session's register, or importing
 * it): the retention sweep keeps their own record while the attendance names them, as it does
 * for the people who attended. School-scoped; one statement.
 */
export async function staffWhoRecordedTraining(db: Db, schoolId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: trainingAttendance.recordedBy })
    .from(trainingAttendance)
    .where(
      and(eq(trainingAttendance.schoolId, schoolId), isNotNull(trainingAttendance.recordedBy)),
    );
  return rows.flatMap((r) => (r.id ? [r.id] : []));
}

/**
 * Training's records that the school keeps for good (no rule deletes them) and that name a member
 * of staff with no foreign key: who created a session, who taught a class's e-safety lesson, who
 * uploaded a session's materials, who uploaded or confirmed an attendance import. When the
 * retention sweep deletes a former member of staff's own record, these keep their name in words
 * (`names`: id → name) beside the id. Returns the rows that took a name.
 */
export async function keepFormerStaffNamesInTraining(
  db: Db,
  schoolId: string,
  names: ReadonlyMap<string, string>,
): Promise<number> {
  const s = trainingSessions;
  const l = trainingClassLessons;
  const m = trainingMaterials;
  const i = trainingAttendanceImports;
  let n = 0;
  for (const [table, id, name] of [
    [s, s.createdBy, s.createdByName],
    [l, l.taughtBy, l.taughtByName],
    [m, m.uploadedBy, m.uploadedByName],
    [i, i.createdBy, i.createdByName],
    [i, i.confirmedBy, i.confirmedByName],
  ] as const)
    n += await keepNames(db, table, { schoolId: table.schoolId, id, name }, schoolId, names);
  return n;
}
