import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { pupils, staff, staffRoles } from './people.tables.ts';
import type { NewPupil } from './people-bulk.repository.ts';
import { pupilSearchText, type PupilRow, type StaffRow } from './people.repository.ts';

/**
 * The writes behind managing people in the app: adding, changing and recording the leaving of
 * pupils, and changing staff and their roles (people-pupil-changes.ts, people-staff.ts).
 */
export class PeopleChangesRepository {
  // -------------------------------------------------------------------------------------------
  // Managing people in the app (PeopleService: add and edit pupils and staff)

  async getPupilByMisId(db: Db, schoolId: string, misId: string): Promise<PupilRow | undefined> {
    const rows = await db
      .select()
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), eq(pupils.misId, misId)))
      .limit(1);
    return rows[0];
  }

  async insertPupil(db: Db, values: NewPupil): Promise<PupilRow> {
    const [row] = await db
      .insert(pupils)
      .values({ ...values, searchText: pupilSearchText(values) })
      .returning();
    return row!;
  }

  async updatePupil(
    db: Db,
    schoolId: string,
    id: string,
    values: Partial<
      Pick<
        PupilRow,
        | 'givenName'
        | 'familyName'
        | 'dateOfBirth'
        | 'yearGroup'
        | 'className'
        | 'admissionDate'
        | 'leavingDate'
        | 'misId'
        | 'possiblyLeftAt'
      >
    > & { searchText: string; updatedAt: Date },
  ): Promise<PupilRow | undefined> {
    const [row] = await db
      .update(pupils)
      .set(values)
      .where(and(eq(pupils.schoolId, schoolId), eq(pupils.id, id)))
      .returning();
    return row;
  }

  /** Pupils of this school among `ids`, locked for the change (others are simply absent). */
  async lockPupils(db: Db, schoolId: string, ids: readonly string[]): Promise<PupilRow[]> {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), inArray(pupils.id, [...ids])))
      .orderBy(asc(pupils.id))
      .for('update');
  }

  /** Records a leaving date (and so clears any "possibly left" flag). */
  async recordLeaving(
    db: Db,
    schoolId: string,
    ids: readonly string[],
    leavingDate: string,
    now: Date,
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await db
      .update(pupils)
      .set({ leavingDate, possiblyLeftAt: null, updatedAt: now })
      .where(and(eq(pupils.schoolId, schoolId), inArray(pupils.id, [...ids])))
      .returning({ id: pupils.id });
    return rows.length;
  }

  /** "Still here": clears the flag an MIS import set. */
  async clearPossiblyLeft(
    db: Db,
    schoolId: string,
    ids: readonly string[],
    now: Date,
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await db
      .update(pupils)
      .set({ possiblyLeftAt: null, updatedAt: now })
      .where(
        and(
          eq(pupils.schoolId, schoolId),
          inArray(pupils.id, [...ids]),
          sql`${pupils.possiblyLeftAt} IS NOT NULL`,
        ),
      )
      .returning({ id: pupils.id });
    return rows.length;
  }

  async updateStaff(
    db: Db,
    schoolId: string,
    id: string,
    values: Partial<
      Pick<
        StaffRow,
        'givenName' | 'familyName' | 'jobTitle' | 'active' | 'leaveDate' | 'lineManagerId'
      >
    > & {
      updatedAt: Date;
    },
  ): Promise<StaffRow | undefined> {
    const [row] = await db
      .update(staff)
      .set(values)
      .where(and(eq(staff.schoolId, schoolId), eq(staff.id, id)))
      .returning();
    return row;
  }

  async setStaffRoles(
    db: Db,
    schoolId: string,
    id: string,
    roles: readonly string[],
  ): Promise<void> {
    await db
      .delete(staffRoles)
      .where(and(eq(staffRoles.schoolId, schoolId), eq(staffRoles.staffId, id)));
    if (roles.length > 0) {
      await db.insert(staffRoles).values(roles.map((role) => ({ schoolId, staffId: id, role })));
    }
  }

  /**
   * Active staff of every school whose leave date has come (on or before `today`): the hourly
   * `people.staff-leavers` job deactivates them. Uses the leave date, so at most a handful a day.
   */
  async activeLeavers(db: Db, today: string): Promise<{ id: string; schoolId: string }[]> {
    return db
      .select({ id: staff.id, schoolId: staff.schoolId })
      .from(staff)
      .where(and(eq(staff.active, true), sql`${staff.leaveDate} <= ${today}`))
      .orderBy(asc(staff.schoolId), asc(staff.id));
  }

  /** Active staff holding `role`, locked for the change (the last Headteacher check). */
  async lockActiveWithRole(db: Db, schoolId: string, role: string): Promise<string[]> {
    const rows = await db
      .select({ id: staff.id })
      .from(staff)
      .innerJoin(staffRoles, eq(staffRoles.staffId, staff.id))
      .where(and(eq(staff.schoolId, schoolId), eq(staffRoles.role, role), eq(staff.active, true)))
      .orderBy(asc(staff.id))
      .for('update', { of: staff });
    return rows.map((r) => r.id);
  }
}
