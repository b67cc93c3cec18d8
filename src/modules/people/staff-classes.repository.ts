import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { pupils, staff, staffClasses, staffRoles } from './people.tables.ts';

/** Which classes each member of staff teaches (staff_classes); queries only. */
export class StaffClassesRepository {
  /** The classes one member of staff is assigned to, in name order. */
  async classesFor(db: Db, schoolId: string, staffId: string): Promise<string[]> {
    const rows = await db
      .select({ className: staffClasses.className })
      .from(staffClasses)
      .where(and(eq(staffClasses.schoolId, schoolId), eq(staffClasses.staffId, staffId)))
      .orderBy(asc(staffClasses.className));
    return rows.map((r) => r.className);
  }

  /** One member of staff of this school with their roles; undefined for another school's. */
  async getStaff(db: Db, schoolId: string, staffId: string) {
    const [row] = await db
      .select({
        id: staff.id,
        givenName: staff.givenName,
        familyName: staff.familyName,
        jobTitle: staff.jobTitle,
        active: staff.active,
      })
      .from(staff)
      .where(and(eq(staff.schoolId, schoolId), eq(staff.id, staffId)))
      .limit(1);
    if (!row) return undefined;
    const roles = await db
      .select({ role: staffRoles.role })
      .from(staffRoles)
      .where(eq(staffRoles.staffId, staffId));
    return { ...row, roles: roles.map((r) => r.role) };
  }

  /** Staff who hold one of `roles`, with the classes assigned to each. */
  async staffWithClasses(db: Db, schoolId: string, roles: readonly string[]) {
    const people = await db
      .selectDistinct({
        id: staff.id,
        givenName: staff.givenName,
        familyName: staff.familyName,
        jobTitle: staff.jobTitle,
      })
      .from(staff)
      .innerJoin(staffRoles, eq(staffRoles.staffId, staff.id))
      .where(
        and(
          eq(staff.schoolId, schoolId),
          eq(staff.active, true),
          inArray(staffRoles.role, [...roles]),
        ),
      )
      .orderBy(asc(staff.familyName), asc(staff.givenName), asc(staff.id));
    if (people.length === 0) return [];
    const links = await db
      .select({ staffId: staffClasses.staffId, className: staffClasses.className })
      .from(staffClasses)
      .where(
        and(
          eq(staffClasses.schoolId, schoolId),
          inArray(
            staffClasses.staffId,
            people.map((p) => p.id),
          ),
        ),
      )
      .orderBy(asc(staffClasses.className));
    const byStaff = new Map<string, string[]>();
    for (const l of links) byStaff.set(l.staffId, [...(byStaff.get(l.staffId) ?? []), l.className]);
    return people.map((p) => ({ ...p, classes: byStaff.get(p.id) ?? [] }));
  }

  /** The class names of pupils on roll on `today`, in name order. */
  async schoolClasses(db: Db, schoolId: string, today: string): Promise<string[]> {
    const rows = await db
      .selectDistinct({ className: pupils.className })
      .from(pupils)
      .where(
        and(
          eq(pupils.schoolId, schoolId),
          isNotNull(pupils.className),
          or(isNull(pupils.leavingDate), sql`${pupils.leavingDate} > ${today}`),
        ),
      )
      .orderBy(asc(pupils.className));
    return rows.map((r) => r.className!).filter((c) => c !== '');
  }

  /** Replaces one member of staff's classes with `classNames`. */
  async replaceFor(
    db: Db,
    schoolId: string,
    staffId: string,
    classNames: readonly string[],
  ): Promise<void> {
    await db
      .delete(staffClasses)
      .where(and(eq(staffClasses.schoolId, schoolId), eq(staffClasses.staffId, staffId)));
    if (classNames.length === 0) return;
    await db
      .insert(staffClasses)
      .values(classNames.map((className) => ({ schoolId, staffId, className })));
  }

  /** How many of `pupilIds` are pupils of this school in one of `classNames`. */
  async countInClasses(
    db: Db,
    schoolId: string,
    pupilIds: readonly string[],
    classNames: readonly string[],
  ): Promise<number> {
    if (pupilIds.length === 0 || classNames.length === 0) return 0;
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(pupils)
      .where(
        and(
          eq(pupils.schoolId, schoolId),
          inArray(pupils.id, [...pupilIds]),
          inArray(pupils.className, [...classNames]),
        ),
      );
    return row?.n ?? 0;
  }

  /** Take a row lock on the member of staff so concurrent changes are serialised. */
  async lockStaff(db: Db, schoolId: string, staffId: string): Promise<boolean> {
    const rows = await db.execute(
      sql`SELECT id FROM staff WHERE school_id = ${schoolId} AND id = ${staffId} FOR UPDATE`,
    );
    return rows.rows.length > 0;
  }
}
