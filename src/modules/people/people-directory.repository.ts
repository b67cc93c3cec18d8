import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { parents, pupilParents, pupils, staff, staffRoles } from './people.tables.ts';
import { onRoll, type ParentRow, type PupilRow, type StaffRow } from './people.repository.ts';

/**
 * The batch reads (and locks) the PeopleDirectory serves to other modules: rosters, pupils by id,
 * parent links, responsible parents, staff by role. Split from people.repository.ts.
 */
export class PeopleDirectoryRepository {
  /** Classes of pupils on roll with the number of pupils in each (pupils with no class left out). */
  async classesOnRoll(
    db: Db,
    schoolId: string,
    today: string,
  ): Promise<{ className: string; pupils: number }[]> {
    const rows = await db
      .select({ className: pupils.className, pupils: sql<number>`count(*)::int` })
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), onRoll(today)))
      .groupBy(pupils.className)
      .orderBy(asc(pupils.className));
    return rows
      .filter((r): r is { className: string; pupils: number } => !!r.className)
      .map((r) => ({ className: r.className, pupils: r.pupils }));
  }

  /** Pupils on roll in one class, by name. */
  async pupilsInClass(
    db: Db,
    schoolId: string,
    className: string,
    today: string,
  ): Promise<PupilRow[]> {
    return db
      .select()
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), eq(pupils.className, className), onRoll(today)))
      .orderBy(asc(pupils.familyName), asc(pupils.givenName), asc(pupils.id));
  }

  /** Every pupil on roll, by class then name. */
  async pupilsOnRoll(db: Db, schoolId: string, today: string): Promise<PupilRow[]> {
    return db
      .select()
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), onRoll(today)))
      .orderBy(
        asc(pupils.className),
        asc(pupils.familyName),
        asc(pupils.givenName),
        asc(pupils.id),
      );
  }

  /** Pupils of this school among `ids`, in one statement, by name (others are simply absent). */
  async pupilsByIds(db: Db, schoolId: string, ids: readonly string[]): Promise<PupilRow[]> {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), inArray(pupils.id, [...new Set(ids)])))
      .orderBy(asc(pupils.familyName), asc(pupils.givenName), asc(pupils.id));
  }

  /**
   * Every pupil of the school, leavers included: MIS id, name and the names the pupil is known
   * by, last change (imports, name checks).
   */
  async pupilRoster(db: Db, schoolId: string) {
    return (
      db
        .select({
          id: pupils.id,
          misId: pupils.misId,
          givenName: pupils.givenName,
          familyName: pupils.familyName,
          preferredGivenName: pupils.preferredGivenName,
          preferredFamilyName: pupils.preferredFamilyName,
          updatedAt: pupils.updatedAt,
        })
        .from(pupils)
        .where(eq(pupils.schoolId, schoolId))
        // A stable order: the publishing checks keep an index of the roll by position for as long
        // as its version stands; rows in another order (after updates, PostgreSQL may return them
        // so) made the name check fail closed with "the roll changed without a new version".
        .orderBy(asc(pupils.id))
    );
  }

  /**
   * Shared row locks (FOR KEY SHARE, in id order) on these pupils, inside the caller's
   * transaction: a consent change takes its pupils' rows first, so a publish that locks them
   * too can never deadlock with it (ADR 0009).
   */
  async lockPupilsForKeyShare(db: Db, schoolId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await db.execute(
      sql`SELECT 1 FROM pupils WHERE school_id = ${schoolId} AND id = ANY(${sql.param([...new Set(ids)].sort())}::uuid[]) ORDER BY id FOR KEY SHARE`,
    );
  }

  /** Ids of the pupils on roll (one statement). */
  async pupilIdsOnRoll(db: Db, schoolId: string, today: string): Promise<string[]> {
    const rows = await db
      .select({ id: pupils.id })
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), onRoll(today)));
    return rows.map((r) => r.id);
  }

  /** Parents with parental responsibility for a pupil on roll: one row per pupil and parent. */
  async responsibleParentsOnRoll(
    db: Db,
    schoolId: string,
    today: string,
  ): Promise<{ pupilId: string; parentId: string }[]> {
    return db
      .select({ pupilId: pupilParents.pupilId, parentId: pupilParents.parentId })
      .from(pupilParents)
      .innerJoin(pupils, eq(pupils.id, pupilParents.pupilId))
      .where(
        and(
          eq(pupilParents.schoolId, schoolId),
          eq(pupilParents.parentalResponsibility, true),
          onRoll(today),
        ),
      );
  }

  /** The parents with parental responsibility of these pupils, with their contact details. */
  async responsibleParentsOf(db: Db, schoolId: string, pupilIds: readonly string[]) {
    if (pupilIds.length === 0) return [];
    return db
      .select({
        pupilId: pupilParents.pupilId,
        parentId: parents.id,
        relationship: pupilParents.relationship,
        givenName: parents.givenName,
        familyName: parents.familyName,
        email: parents.email,
        phone: parents.phone,
      })
      .from(pupilParents)
      .innerJoin(parents, eq(parents.id, pupilParents.parentId))
      .where(
        and(
          eq(pupilParents.schoolId, schoolId),
          eq(pupilParents.parentalResponsibility, true),
          sql`${pupilParents.pupilId} = ANY(${sql.param([...new Set(pupilIds)])}::uuid[])`,
        ),
      )
      .orderBy(asc(parents.familyName), asc(parents.givenName));
  }

  /** Every parent of the school, by MIS id, email and name (imports match against it). */
  async parentRoster(db: Db, schoolId: string) {
    return db
      .select({
        id: parents.id,
        misId: parents.misId,
        email: parents.email,
        givenName: parents.givenName,
        familyName: parents.familyName,
      })
      .from(parents)
      .where(eq(parents.schoolId, schoolId));
  }

  /** Every pupil–parent link of the school, with parental responsibility. */
  async parentLinks(db: Db, schoolId: string) {
    return db
      .select({
        pupilId: pupilParents.pupilId,
        parentId: pupilParents.parentId,
        parentalResponsibility: pupilParents.parentalResponsibility,
      })
      .from(pupilParents)
      .where(eq(pupilParents.schoolId, schoolId));
  }

  async findParentsByEmail(db: Db, email: string): Promise<ParentRow[]> {
    return db
      .select()
      .from(parents)
      .where(sql`lower(${parents.email}) = ${email.toLowerCase()}`);
  }

  async findPupilsByEmail(db: Db, email: string): Promise<PupilRow[]> {
    return db
      .select()
      .from(pupils)
      .where(sql`lower(${pupils.email}) = ${email.toLowerCase()}`);
  }

  /**
   * Every active member of staff of the school with their roles, by name, in one statement
   * (training and acknowledgements list who is expected).
   */
  async staffRoster(
    db: Db,
    schoolId: string,
  ): Promise<
    {
      id: string;
      givenName: string;
      familyName: string;
      email: string;
      startDate: string | null;
      lineManagerId: string | null;
      roles: string[];
    }[]
  > {
    return db
      .select({
        id: staff.id,
        givenName: staff.givenName,
        familyName: staff.familyName,
        email: staff.email,
        startDate: staff.startDate,
        lineManagerId: staff.lineManagerId,
        roles: sql<
          string[]
        >`coalesce(array_agg(${staffRoles.role}) filter (where ${staffRoles.role} is not null), '{}')`,
      })
      .from(staff)
      .leftJoin(staffRoles, eq(staffRoles.staffId, staff.id))
      .where(and(eq(staff.schoolId, schoolId), eq(staff.active, true)))
      .groupBy(staff.id)
      .orderBy(asc(staff.familyName), asc(staff.givenName), asc(staff.id));
  }

  /**
   * The same roster for several schools in one statement (a trust's figures), each row with its
   * school (index staff_school_idx).
   */
  async staffRosterForSchools(
    db: Db,
    schoolIds: readonly string[],
  ): Promise<
    {
      schoolId: string;
      id: string;
      givenName: string;
      familyName: string;
      email: string;
      startDate: string | null;
      lineManagerId: string | null;
      roles: string[];
    }[]
  > {
    if (schoolIds.length === 0) return [];
    return db
      .select({
        schoolId: staff.schoolId,
        id: staff.id,
        givenName: staff.givenName,
        familyName: staff.familyName,
        email: staff.email,
        startDate: staff.startDate,
        lineManagerId: staff.lineManagerId,
        roles: sql<
          string[]
        >`coalesce(array_agg(${staffRoles.role}) filter (where ${staffRoles.role} is not null), '{}')`,
      })
      .from(staff)
      .leftJoin(staffRoles, eq(staffRoles.staffId, staff.id))
      .where(and(inArray(staff.schoolId, [...schoolIds]), eq(staff.active, true)))
      .groupBy(staff.id)
      .orderBy(asc(staff.familyName), asc(staff.givenName), asc(staff.id));
  }

  async staffWithRole(db: Db, schoolId: string, role: string): Promise<StaffRow[]> {
    return db
      .select({ s: staff })
      .from(staff)
      .innerJoin(staffRoles, eq(staffRoles.staffId, staff.id))
      .where(and(eq(staff.schoolId, schoolId), eq(staffRoles.role, role), eq(staff.active, true)))
      .then((rows) => rows.map((r) => r.s));
  }

  async staffWithoutSecondFactor(
    db: Db,
    schoolId: string,
    roles: readonly string[],
  ): Promise<StaffRow[]> {
    return db
      .selectDistinct({ s: staff })
      .from(staff)
      .innerJoin(staffRoles, eq(staffRoles.staffId, staff.id))
      .where(
        and(
          eq(staff.schoolId, schoolId),
          inArray(staffRoles.role, [...roles]),
          isNull(staff.totpEnabledAt),
          eq(staff.active, true),
        ),
      )
      .then((rows) => rows.map((r) => r.s));
  }
}
