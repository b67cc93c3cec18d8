import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  trainingAttendance,
  trainingBookings,
  trainingClassLessons,
  trainingSessions,
} from './training.tables.ts';

/**
 * A parent's training (sessions attended, places booked) or a pupil's class e-safety lessons,
 * for a subject access request (issue 16 item 5). School-scoped.
 */
export async function trainingAboutPerson(
  db: Db,
  schoolId: string,
  subject: { kind: 'pupil'; id: string; className: string | null } | { kind: 'parent'; id: string },
) {
  if (subject.kind === 'pupil') {
    const lessons = subject.className
      ? await db
          .select({
            id: trainingClassLessons.id,
            className: trainingClassLessons.className,
            termKey: trainingClassLessons.termKey,
            taughtOn: trainingClassLessons.taughtOn,
            topic: trainingClassLessons.topic,
          })
          .from(trainingClassLessons)
          .where(
            and(
              eq(trainingClassLessons.schoolId, schoolId),
              eq(trainingClassLessons.className, subject.className),
            ),
          )
          .orderBy(asc(trainingClassLessons.taughtOn))
      : [];
    return { attendance: [], bookings: [], lessons };
  }
  const attendance = await db
    .select({
      id: trainingAttendance.id,
      kind: trainingAttendance.kind,
      attended: trainingAttendance.attended,
      attendedOn: trainingAttendance.attendedOn,
      title: trainingSessions.title,
    })
    .from(trainingAttendance)
    .innerJoin(trainingSessions, eq(trainingSessions.id, trainingAttendance.sessionId))
    .where(
      and(
        eq(trainingAttendance.schoolId, schoolId),
        eq(trainingAttendance.personKind, 'parent'),
        eq(trainingAttendance.personId, subject.id),
      ),
    )
    .orderBy(asc(trainingAttendance.attendedOn));
  const bookings = await db
    .select({
      id: trainingBookings.id,
      title: trainingSessions.title,
      startsAt: trainingSessions.startsAt,
      places: trainingBookings.places,
      bookedAt: trainingBookings.bookedAt,
      cancelledAt: trainingBookings.cancelledAt,
    })
    .from(trainingBookings)
    .innerJoin(trainingSessions, eq(trainingSessions.id, trainingBookings.sessionId))
    .where(and(eq(trainingBookings.schoolId, schoolId), eq(trainingBookings.parentId, subject.id)))
    .orderBy(asc(trainingBookings.bookedAt));
  return { attendance, bookings, lessons: [] };
}
export type TrainingAboutPerson = Awaited<ReturnType<typeof trainingAboutPerson>>;
