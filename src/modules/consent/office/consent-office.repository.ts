import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import type { PeopleDirectory } from '../../people/index.ts';
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

const officePupil = (p: OfficePupil): OfficePupil => ({
  id: p.id,
  misId: p.misId,
  givenName: p.givenName,
  familyName: p.familyName,
  yearGroup: p.yearGroup,
  className: p.className,
});

/** "Given Family", as the pages have always written a decider's or recorder's name. */
const split = (name: string | undefined) => {
  if (name === undefined) return { given: null, family: null };
  const at = name.indexOf(' ');
  return at < 0
    ? { given: name, family: '' }
    : { given: name.slice(0, at), family: name.slice(at + 1) };
};

/**
 * Read-only queries behind the office and DPO pages: classes, pupils on roll, records since a date.
 * The consent decisions themselves come from ConsentService (the one place the rules live).
 * Pupils, parents' and staff names are people's data: read through `PeopleDirectory` in batches
 * (one statement per batch, never one per row) and joined to the consent records in memory.
 */
export class ConsentOfficeRepository {
  constructor(private readonly people: PeopleDirectory) {}

  /** Classes of pupils on roll with the number of pupils in each. */
  async classes(db: Db, schoolId: string, today: string) {
    return this.people.classesOnRoll(db, schoolId, today);
  }

  /** Pupils on roll in one class, by name. */
  async pupilsInClass(
    db: Db,
    schoolId: string,
    className: string,
    today: string,
  ): Promise<OfficePupil[]> {
    return (await this.people.pupilsInClass(db, schoolId, className, today)).map(officePupil);
  }

  /** Every pupil on roll, by class then name (the export, the overview counts). */
  async pupilsOnRoll(db: Db, schoolId: string, today: string): Promise<OfficePupil[]> {
    return (await this.people.pupilsOnRoll(db, schoolId, today)).map(officePupil);
  }

  /** Pupils of this school among `ids` (others are simply absent). */
  async pupilsByIds(db: Db, schoolId: string, ids: readonly string[]): Promise<OfficePupil[]> {
    return (await this.people.pupilsByIds(db, schoolId, ids)).map(officePupil);
  }

  /** One pupil of this school (any roll status). */
  async pupil(db: Db, schoolId: string, id: string): Promise<OfficePupil | undefined> {
    const row = await this.people.getPupil(db, schoolId, id);
    return row && officePupil(row);
  }

  /** The records behind answers: who decided, when, for which period. */
  async recordsByIds(db: Db, schoolId: string, ids: readonly string[]) {
    if (ids.length === 0) return [];
    const rows = await db
      .select({
        id: consentRecords.id,
        periodKey: consentRecords.periodKey,
        deciderKind: consentRecords.deciderKind,
        decisions: consentRecords.decisions,
        decidedOn: consentRecords.decidedOn,
        method: consentRecords.method,
        recordedAt: consentRecords.recordedAt,
        deciderParentId: consentRecords.deciderParentId,
      })
      .from(consentRecords)
      .where(and(eq(consentRecords.schoolId, schoolId), inArray(consentRecords.id, [...ids])));
    const names = await this.people.displayNames(db, schoolId, {
      staff: [],
      parents: rows.flatMap((r) => (r.deciderParentId ? [r.deciderParentId] : [])),
      pupils: [],
    });
    return rows.map(({ deciderParentId, ...r }) => {
      const decider = split(deciderParentId ? names.parents.get(deciderParentId) : undefined);
      return { ...r, deciderGivenName: decider.given, deciderFamilyName: decider.family };
    });
  }

  /** Every record made since `since`, newest first, with pupil, decider and recorder. */
  async recordsSince(db: Db, schoolId: string, since: Date, limit: number) {
    const rows = await db
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
        recordedById: consentRecords.recordedById,
        deciderKind: consentRecords.deciderKind,
        deciderParentId: consentRecords.deciderParentId,
        hasEvidence: sql<boolean>`${consentRecords.evidenceKey} IS NOT NULL`,
      })
      .from(consentRecords)
      .where(and(eq(consentRecords.schoolId, schoolId), gte(consentRecords.recordedAt, since)))
      .orderBy(desc(consentRecords.recordedAt), desc(consentRecords.id))
      .limit(limit);
    if (rows.length === 0) return [];
    const [pupils, names] = await Promise.all([
      this.people.pupilsByIds(db, schoolId, [...new Set(rows.map((r) => r.pupilId))]),
      this.people.displayNames(db, schoolId, {
        staff: rows.flatMap((r) =>
          r.recordedByKind === 'staff' && r.recordedById ? [r.recordedById] : [],
        ),
        parents: rows.flatMap((r) => (r.deciderParentId ? [r.deciderParentId] : [])),
        pupils: [],
      }),
    ]);
    const pupilById = new Map(pupils.map((p) => [p.id, p]));
    return rows.flatMap(({ deciderParentId, recordedById, ...r }) => {
      const pupil = pupilById.get(r.pupilId);
      if (!pupil) return [];
      const decider = split(deciderParentId ? names.parents.get(deciderParentId) : undefined);
      const recorder = split(
        r.recordedByKind === 'staff' && recordedById ? names.staff.get(recordedById) : undefined,
      );
      return [
        {
          ...r,
          pupilGivenName: pupil.givenName,
          pupilFamilyName: pupil.familyName,
          className: pupil.className,
          deciderGivenName: decider.given,
          deciderFamilyName: decider.family,
          recorderGivenName: recorder.given,
          recorderFamilyName: recorder.family,
        },
      ];
    });
  }
}
