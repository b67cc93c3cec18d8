import { and, asc, desc, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  trainingAttendance,
  trainingClassLessons,
  trainingDueAgain,
  trainingLatest,
  trainingMaterials,
  trainingReminders,
  trainingSessions,
} from './training.tables.ts';

export type SessionRow = typeof trainingSessions.$inferSelect;
export type AttendanceRow = typeof trainingAttendance.$inferSelect;
export type ClassLessonRow = typeof trainingClassLessons.$inferSelect;
export type DueAgainRow = typeof trainingDueAgain.$inferSelect;
export type MaterialRow = typeof trainingMaterials.$inferSelect;

/** Queries on training sessions, attendance, class lessons and due-again marks; all by school. */
export class TrainingRepository {
  // Sessions.
  async createSession(db: Db, values: typeof trainingSessions.$inferInsert): Promise<SessionRow> {
    const [row] = await db.insert(trainingSessions).values(values).returning();
    return row!;
  }

  async insertSessions(
    db: Db,
    values: (typeof trainingSessions.$inferInsert)[],
  ): Promise<SessionRow[]> {
    if (values.length === 0) return [];
    return db.insert(trainingSessions).values(values).returning();
  }

  async getSession(db: Db, schoolId: string, id: string): Promise<SessionRow | undefined> {
    const rows = await db
      .select()
      .from(trainingSessions)
      .where(and(eq(trainingSessions.schoolId, schoolId), eq(trainingSessions.id, id)))
      .limit(1);
    return rows[0];
  }

  /** Locks the session (bookings count places under it). */
  async getSessionForUpdate(db: Db, schoolId: string, id: string): Promise<SessionRow | undefined> {
    const rows = await db
      .select()
      .from(trainingSessions)
      .where(and(eq(trainingSessions.schoolId, schoolId), eq(trainingSessions.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  /** Sessions starting in [from, to), soonest first; optionally of one audience. */
  async sessionsBetween(
    db: Db,
    schoolId: string,
    from: Date,
    to: Date,
    audience?: string,
  ): Promise<SessionRow[]> {
    return db
      .select()
      .from(trainingSessions)
      .where(
        and(
          eq(trainingSessions.schoolId, schoolId),
          gte(trainingSessions.startsAt, from),
          lt(trainingSessions.startsAt, to),
          isNull(trainingSessions.cancelledAt),
          audience ? eq(trainingSessions.audience, audience) : undefined,
        ),
      )
      .orderBy(asc(trainingSessions.startsAt), asc(trainingSessions.id));
  }

  // Attendance.
  async attendanceFor(db: Db, schoolId: string, sessionId: string): Promise<AttendanceRow[]> {
    return db
      .select()
      .from(trainingAttendance)
      .where(
        and(eq(trainingAttendance.schoolId, schoolId), eq(trainingAttendance.sessionId, sessionId)),
      );
  }

  /**
   * Records (or corrects) attendance for a session: one row per person; then each person's
   * latest attended date per kind (`training_latest`) in the same transaction.
   */
  async upsertAttendance(db: Db, rows: (typeof trainingAttendance.$inferInsert)[]): Promise<void> {
    if (rows.length === 0) return;
    await db
      .insert(trainingAttendance)
      .values(rows)
      .onConflictDoUpdate({
        target: [
          trainingAttendance.sessionId,
          trainingAttendance.personKind,
          trainingAttendance.personId,
        ],
        set: {
          attended: sql`excluded.attended`,
          source: sql`excluded.source`,
          recordedBy: sql`excluded.recorded_by`,
          recordedAt: sql`excluded.recorded_at`,
        },
      });
    const groups = new Map<
      string,
      { schoolId: string; personKind: string; kind: string; attended: string[]; absent: string[] }
    >();
    for (const r of rows) {
      const key = `${r.schoolId}|${r.personKind}|${r.kind}`;
      const g = groups.get(key) ?? {
        schoolId: r.schoolId,
        personKind: r.personKind,
        kind: r.kind,
        attended: [],
        absent: [],
      };
      (r.attended ? g.attended : g.absent).push(r.personId);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      // Attended: the latest date only moves forward (GREATEST keeps a later date another
      // transaction wrote meanwhile).
      if (g.attended.length > 0) {
        await db.execute(sql`
          INSERT INTO training_latest (school_id, person_kind, person_id, kind, last_attended)
          SELECT school_id, person_kind, person_id, kind, max(attended_on) FROM training_attendance
          WHERE school_id = ${g.schoolId} AND person_kind = ${g.personKind} AND kind = ${g.kind}
            AND person_id = ANY(${sql.param(g.attended)}::uuid[]) AND attended
          GROUP BY school_id, person_kind, person_id, kind
          ON CONFLICT (school_id, person_kind, person_id, kind)
          DO UPDATE SET last_attended = GREATEST(training_latest.last_attended, excluded.last_attended)`);
      }
      // Marked absent (perhaps a correction): recomputed from the history, gone if none is left.
      if (g.absent.length > 0) {
        await db.execute(sql`
          DELETE FROM training_latest
          WHERE school_id = ${g.schoolId} AND person_kind = ${g.personKind} AND kind = ${g.kind}
            AND person_id = ANY(${sql.param(g.absent)}::uuid[])`);
        await db.execute(sql`
          INSERT INTO training_latest (school_id, person_kind, person_id, kind, last_attended)
          SELECT school_id, person_kind, person_id, kind, max(attended_on) FROM training_attendance
          WHERE school_id = ${g.schoolId} AND person_kind = ${g.personKind} AND kind = ${g.kind}
            AND person_id = ANY(${sql.param(g.absent)}::uuid[]) AND attended
          GROUP BY school_id, person_kind, person_id, kind
          ON CONFLICT (school_id, person_kind, person_id, kind)
          DO UPDATE SET last_attended = excluded.last_attended`);
      }
    }
  }

  /**
   * Each person's latest attended date per kind, for a school: one statement on
   * `training_latest` (its primary key starts with the school), one row per person and kind
   * whatever the years of history.
   */
  async latestAttendance(
    db: Db,
    schoolId: string,
    personKind: 'staff' | 'parent',
    personIds?: readonly string[],
  ): Promise<{ personId: string; kind: string; lastAttended: string }[]> {
    return db
      .select({
        personId: trainingLatest.personId,
        kind: trainingLatest.kind,
        lastAttended: trainingLatest.lastAttended,
      })
      .from(trainingLatest)
      .where(
        and(
          eq(trainingLatest.schoolId, schoolId),
          eq(trainingLatest.personKind, personKind),
          personIds ? inArray(trainingLatest.personId, [...personIds]) : undefined,
        ),
      );
  }

  /** The same for several schools in one statement (a trust's compliance figures). */
  async latestAttendanceForSchools(
    db: Db,
    schoolIds: readonly string[],
    personKind: 'staff' | 'parent',
  ): Promise<{ schoolId: string; personId: string; kind: string; lastAttended: string }[]> {
    if (schoolIds.length === 0) return [];
    return db
      .select({
        schoolId: trainingLatest.schoolId,
        personId: trainingLatest.personId,
        kind: trainingLatest.kind,
        lastAttended: trainingLatest.lastAttended,
      })
      .from(trainingLatest)
      .where(
        and(
          inArray(trainingLatest.schoolId, [...schoolIds]),
          eq(trainingLatest.personKind, personKind),
        ),
      );
  }

  /** Due-again marks of several schools in one statement. */
  async dueAgainForSchools(db: Db, schoolIds: readonly string[]): Promise<DueAgainRow[]> {
    if (schoolIds.length === 0) return [];
    return db
      .select()
      .from(trainingDueAgain)
      .where(inArray(trainingDueAgain.schoolId, [...schoolIds]));
  }

  // Due-again marks.
  async insertDueAgain(db: Db, rows: (typeof trainingDueAgain.$inferInsert)[]): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted = await db
      .insert(trainingDueAgain)
      .values(rows)
      .onConflictDoNothing()
      .returning({ id: trainingDueAgain.id });
    return inserted.length;
  }

  async dueAgainFor(
    db: Db,
    schoolId: string,
    staffIds?: readonly string[],
  ): Promise<DueAgainRow[]> {
    return db
      .select()
      .from(trainingDueAgain)
      .where(
        and(
          eq(trainingDueAgain.schoolId, schoolId),
          staffIds ? inArray(trainingDueAgain.staffId, [...staffIds]) : undefined,
        ),
      );
  }

  // Class lessons.
  async insertClassLesson(
    db: Db,
    values: typeof trainingClassLessons.$inferInsert,
  ): Promise<ClassLessonRow | undefined> {
    const rows = await db
      .insert(trainingClassLessons)
      .values(values)
      .onConflictDoNothing()
      .returning();
    return rows[0];
  }

  async classLessons(db: Db, schoolId: string, termKey?: string): Promise<ClassLessonRow[]> {
    return db
      .select()
      .from(trainingClassLessons)
      .where(
        and(
          eq(trainingClassLessons.schoolId, schoolId),
          termKey ? eq(trainingClassLessons.termKey, termKey) : undefined,
        ),
      )
      .orderBy(desc(trainingClassLessons.taughtOn), asc(trainingClassLessons.className));
  }

  // Reminders.
  /** Claims a reminder (unique per person, kind, due date, recipient); false if already sent. */
  async claimReminder(db: Db, values: typeof trainingReminders.$inferInsert): Promise<boolean> {
    const rows = await db
      .insert(trainingReminders)
      .values(values)
      .onConflictDoNothing()
      .returning({ id: trainingReminders.id });
    return rows.length > 0;
  }

  // Materials.
  async createMaterial(
    db: Db,
    values: typeof trainingMaterials.$inferInsert,
  ): Promise<MaterialRow> {
    const [row] = await db.insert(trainingMaterials).values(values).returning();
    return row!;
  }

  async materialsFor(db: Db, schoolId: string, sessionId: string): Promise<MaterialRow[]> {
    return db
      .select()
      .from(trainingMaterials)
      .where(
        and(eq(trainingMaterials.schoolId, schoolId), eq(trainingMaterials.sessionId, sessionId)),
      )
      .orderBy(asc(trainingMaterials.uploadedAt));
  }

  async getMaterial(db: Db, schoolId: string, id: string): Promise<MaterialRow | undefined> {
    const rows = await db
      .select()
      .from(trainingMaterials)
      .where(and(eq(trainingMaterials.schoolId, schoolId), eq(trainingMaterials.id, id)))
      .limit(1);
    return rows[0];
  }
}
