import { and, asc, desc, eq, gte, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { parents, pupils, staff } from '../../people/people.tables.ts';
import { consentRecords } from '../consent.tables.ts';

/** A pupil as the staff consent pages list them. */
export interface OfficePupil {
  id: string;
  misId: string;
  givenName: string;
  familyName: string;
  yearGroup: string;
  className: string | null;
}

const pupilColumns = {
  id: pupils.id,
  misId: pupils.misId,
  givenName: pupils.givenName,
  familyName: pupils.familyName,
  yearGroup: pupils.yearGroup,
  className: pupils.className,
};

const onRoll = (today: string) =>
  or(isNull(pupils.leavingDate), sql`${pupils.leavingDate} > ${today}`);

/**
 * Read-only queries behind the office and DPO pages: classes, pupils on roll, records since a date.
 * The consent decisions themselves come from ConsentService (the one place the rules live).
 */
export class ConsentOfficeRepository {
  /** Classes of pupils on roll with the number of pupils in each. */
  async classes(db: Db, schoolId: string, today: string) {
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
  ): Promise<OfficePupil[]> {
    return db
      .select(pupilColumns)
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), eq(pupils.className, className), onRoll(today)))
      .orderBy(asc(pupils.familyName), asc(pupils.givenName), asc(pupils.id));
  }

  /** Every pupil on roll, by class then name (the export, the overview counts). */
  async pupilsOnRoll(db: Db, schoolId: string, today: string): Promise<OfficePupil[]> {
    return db
      .select(pupilColumns)
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), onRoll(today)))
      .orderBy(
        asc(pupils.className),
        asc(pupils.familyName),
        asc(pupils.givenName),
        asc(pupils.id),
      );
  }

  /** Pupils of this school among `ids` (others are simply absent). */
  async pupilsByIds(db: Db, schoolId: string, ids: readonly string[]): Promise<OfficePupil[]> {
    if (ids.length === 0) return [];
    return db
      .select(pupilColumns)
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), inArray(pupils.id, [...ids])))
      .orderBy(asc(pupils.familyName), asc(pupils.givenName), asc(pupils.id));
  }

  /** One pupil of this school (any roll status). */
  async pupil(db: Db, schoolId: string, id: string): Promise<OfficePupil | undefined> {
    const [row] = await db
      .select(pupilColumns)
      .from(pupils)
      .where(and(eq(pupils.schoolId, schoolId), eq(pupils.id, id)))
      .limit(1);
    return row;
  }

  /** The records behind answers: who decided, when, for which period. */
  async recordsByIds(db: Db, schoolId: string, ids: readonly string[]) {
    if (ids.length === 0) return [];
    return db
      .select({
        id: consentRecords.id,
        periodKey: consentRecords.periodKey,
        deciderKind: consentRecords.deciderKind,
        decisions: consentRecords.decisions,
        decidedOn: consentRecords.decidedOn,
        method: consentRecords.method,
        recordedAt: consentRecords.recordedAt,
        deciderGivenName: parents.givenName,
        deciderFamilyName: parents.familyName,
      })
      .from(consentRecords)
      .leftJoin(parents, eq(parents.id, consentRecords.deciderParentId))
      .where(and(eq(consentRecords.schoolId, schoolId), inArray(consentRecords.id, [...ids])));
  }

  /** Every record made since `since`, newest first, with pupil, decider and recorder. */
  async recordsSince(db: Db, schoolId: string, since: Date, limit: number) {
    return db
      .select({
        id: consentRecords.id,
        pupilId: consentRecords.pupilId,
        periodKey: consentRecords.periodKey,
        kind: consentRecords.kind,
        method: consentRecords.method,
        decisions: consentRecords.decisions,
        decidedOn: consentRecords.decidedOn,
        recordedAt: consentRecords.recordedAt,
        recordedByKind: consentRecords.recordedByKind,
        deciderKind: consentRecords.deciderKind,
        hasEvidence: sql<boolean>`${consentRecords.evidenceKey} IS NOT NULL`,
        pupilGivenName: pupils.givenName,
        pupilFamilyName: pupils.familyName,
        className: pupils.className,
        deciderGivenName: parents.givenName,
        deciderFamilyName: parents.familyName,
        recorderGivenName: staff.givenName,
        recorderFamilyName: staff.familyName,
      })
      .from(consentRecords)
      .innerJoin(pupils, eq(pupils.id, consentRecords.pupilId))
      .leftJoin(parents, eq(parents.id, consentRecords.deciderParentId))
      .leftJoin(
        staff,
        and(eq(consentRecords.recordedByKind, 'staff'), eq(staff.id, consentRecords.recordedById)),
      )
      .where(and(eq(consentRecords.schoolId, schoolId), gte(consentRecords.recordedAt, since)))
      .orderBy(desc(consentRecords.recordedAt), desc(consentRecords.id))
      .limit(limit);
  }
}
