/**
 * What the compliance view shows of pupils' and parents' e-safety (its section "Pupils and
 * parents"), for several schools at once: the classes' lessons recorded for the given terms, and
 * the parents' e-safety sessions (not cancelled) between two UK dates with their bookings and
 * attendance as counts (no parent named). Two statements whatever the number of schools. Every
 * table read here bumps the school's cache version (migration 0048: sessions, bookings and class
 * lessons; 0057: attendance).
 */
import { and, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  trainingAttendance,
  trainingBookings,
  trainingClassLessons,
  trainingSessions,
} from './training.tables.ts';

export interface OutreachRows {
  lessons: { schoolId: string; className: string; termKey: string; taughtOn: string }[];
  meetings: {
    schoolId: string;
    startsAt: Date;
    bookings: number;
    places: number;
    attended: number;
  }[];
}

export async function outreachForSchools(
  db: Db,
  schoolIds: readonly string[],
  termKeys: readonly string[],
  /** UK dates, from inclusive, to exclusive. */
  meetingsFrom: string,
  meetingsBefore: string,
): Promise<OutreachRows> {
  if (schoolIds.length === 0) return { lessons: [], meetings: [] };
  const ids = [...schoolIds];
  // The session named in full: a column in `sql` may be rendered without its table's name, which
  // inside these subqueries would be the booking's or attendance's own id.
  const bookings = sql<number>`(SELECT count(*)::int FROM ${trainingBookings} b
     WHERE b.session_id = training_sessions.id AND b.cancelled_at IS NULL)`;
  const places = sql<number>`(SELECT coalesce(sum(b.places), 0)::int FROM ${trainingBookings} b
     WHERE b.session_id = training_sessions.id AND b.cancelled_at IS NULL)`;
  const attended = sql<number>`(SELECT count(*)::int FROM ${trainingAttendance} a
     WHERE a.session_id = training_sessions.id AND a.person_kind = 'parent' AND a.attended)`;
  const [lessons, meetings] = await Promise.all([
    db
      .select({
        schoolId: trainingClassLessons.schoolId,
        className: trainingClassLessons.className,
        termKey: trainingClassLessons.termKey,
        taughtOn: trainingClassLessons.taughtOn,
      })
      .from(trainingClassLessons)
      .where(
        and(
          inArray(trainingClassLessons.schoolId, ids),
          inArray(trainingClassLessons.termKey, [...termKeys]),
        ),
      ),
    db
      .select({
        schoolId: trainingSessions.schoolId,
        startsAt: trainingSessions.startsAt,
        bookings,
        places,
        attended,
      })
      .from(trainingSessions)
      .where(
        and(
          inArray(trainingSessions.schoolId, ids),
          eq(trainingSessions.kind, 'parents_esafety'),
          isNull(trainingSessions.cancelledAt),
          gte(
            trainingSessions.startsAt,
            sql`(${meetingsFrom}::date::timestamp AT TIME ZONE 'Europe/London')`,
          ),
          lt(
            trainingSessions.startsAt,
            sql`(${meetingsBefore}::date::timestamp AT TIME ZONE 'Europe/London')`,
          ),
        ),
      ),
  ]);
  return { lessons, meetings };
}
