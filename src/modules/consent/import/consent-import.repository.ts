import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import type { ImportStatus } from '../../../platform/imports/import-pipeline.ts';
import type { PeopleDirectory } from '../../people/index.ts';
import type { consentImports } from '../consent.tables.ts';
import { consentRecords, pupilCompetenceAssessments } from '../consent.tables.ts';

export type ConsentImportRecord = typeof consentImports.$inferSelect;
/** uploaded → previewing → previewed | rejected → committing → committed | failed */
export type ConsentImportStatus = ImportStatus;

export interface RosterPupil {
  id: string;
  misId: string;
  givenName: string;
  familyName: string;
}

export interface RosterParent {
  id: string;
  misId: string | null;
  email: string | null;
  givenName: string;
  familyName: string;
}

export interface RosterLink {
  pupilId: string;
  parentId: string;
  parentalResponsibility: boolean;
}

/** A decider's latest answer per key for one pupil and period. */
export interface CurrentStatement {
  pupilId: string;
  deciderKind: string;
  deciderParentId: string | null;
  periodKey: string;
  decisions: Record<string, string>;
}

/**
 * Queries for the consent spreadsheet import: read-only views of the school's pupils, parents and
 * links to check a file against (docs/adr/0006), and the current statements to compare it with.
 * The import rows themselves are the pipeline's (platform/imports).
 */
export class ConsentImportRepository {
  /** The school's pupils, parents and links are people's: read through its directory. */
  constructor(private readonly people: PeopleDirectory) {}

  async pupils(db: Db, schoolId: string): Promise<RosterPupil[]> {
    return this.people.pupilRoster(db, schoolId);
  }

  async parents(db: Db, schoolId: string): Promise<RosterParent[]> {
    return this.people.parentRoster(db, schoolId);
  }

  async links(db: Db, schoolId: string): Promise<RosterLink[]> {
    return this.people.parentLinks(db, schoolId);
  }

  /** Pupils whose latest competence assessment says they may decide for themselves. */
  async competentPupils(db: Db, schoolId: string): Promise<Set<string>> {
    const rows = await db
      .selectDistinctOn([pupilCompetenceAssessments.pupilId], {
        pupilId: pupilCompetenceAssessments.pupilId,
        competent: pupilCompetenceAssessments.competent,
      })
      .from(pupilCompetenceAssessments)
      .where(eq(pupilCompetenceAssessments.schoolId, schoolId))
      .orderBy(pupilCompetenceAssessments.pupilId, desc(pupilCompetenceAssessments.recordedAt));
    return new Set(rows.filter((r) => r.competent).map((r) => r.pupilId));
  }

  /**
   * Each decider's current statement per pupil and period: the latest answer per key across
   * their records (oldest first, so later answers overwrite).
   */
  async currentStatements(
    db: Db,
    schoolId: string,
    pupilIds: readonly string[],
    periodKeys: readonly string[],
  ): Promise<CurrentStatement[]> {
    if (pupilIds.length === 0 || periodKeys.length === 0) return [];
    const out = new Map<string, CurrentStatement>();
    const CHUNK = 5000;
    for (let i = 0; i < pupilIds.length; i += CHUNK) {
      const rows = await db
        .select({
          pupilId: consentRecords.pupilId,
          deciderKind: consentRecords.deciderKind,
          deciderParentId: consentRecords.deciderParentId,
          periodKey: consentRecords.periodKey,
          decisions: consentRecords.decisions,
        })
        .from(consentRecords)
        .where(
          and(
            eq(consentRecords.schoolId, schoolId),
            inArray(consentRecords.pupilId, pupilIds.slice(i, i + CHUNK)),
            inArray(consentRecords.periodKey, [...periodKeys]),
          ),
        )
        .orderBy(consentRecords.recordedAt);
      for (const r of rows) {
        const key = statementKey(r.pupilId, r.deciderKind, r.deciderParentId, r.periodKey);
        const current = out.get(key);
        if (current) Object.assign(current.decisions, r.decisions);
        else out.set(key, { ...r, decisions: { ...r.decisions } });
      }
    }
    return [...out.values()];
  }

  /** Row locks on the pupils a commit is about to record for (in id order). */
  async lockPupils(db: Db, schoolId: string, pupilIds: readonly string[]): Promise<void> {
    if (pupilIds.length === 0) return;
    await this.people.lockPupils(db, schoolId, pupilIds);
  }
}

export function statementKey(
  pupilId: string,
  deciderKind: string,
  parentId: string | null,
  periodKey: string,
): string {
  return `${pupilId}|${deciderKind}|${parentId ?? ''}|${periodKey}`;
}
