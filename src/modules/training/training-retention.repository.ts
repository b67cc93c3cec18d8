import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { trainingAttendance, trainingBookings, trainingSessions } from './training.tables.ts';

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
