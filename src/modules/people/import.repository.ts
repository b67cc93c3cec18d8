import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { runPrepared, type Db } from '../../platform/db/database.ts';
import { parents, pupilImports, pupilParents, pupils } from './people.tables.ts';
import { pupilSearchText } from './people.repository.ts';

export type PupilImportRecord = typeof pupilImports.$inferSelect;

/** uploaded → previewing → previewed | rejected → committing → committed | failed */
export type { ImportStatus } from '../../platform/imports/import-pipeline.ts';

/** Parent rows as the JSON the set-based insert/update statements read. */
function parentPayload(rows: readonly ParentWrite[]) {
  return rows.map((r) => ({
    id: r.id,
    mis_id: r.misId,
    given_name: r.givenName,
    family_name: r.familyName,
    email: r.email,
    phone: r.phone,
  }));
}

/** A pupil as the import compares it. */
export interface ExistingPupil {
  id: string;
  misId: string;
  givenName: string;
  familyName: string;
  preferredGivenName: string | null;
  preferredFamilyName: string | null;
  dateOfBirth: string;
  yearGroup: string;
  className: string | null;
  admissionDate: string | null;
  leavingDate: string | null;
  email: string | null;
  possiblyLeftAt: Date | null;
}

export interface ExistingParent {
  id: string;
  misId: string | null;
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
}

export interface ExistingLink {
  pupilId: string;
  parentId: string;
  relationship: string | null;
  parentalResponsibility: boolean;
}

export type PupilWrite = Omit<ExistingPupil, 'possiblyLeftAt'>;
export type ParentWrite = ExistingParent;
export type LinkWrite = ExistingLink;

/** One parameter holding many rows, unpacked in SQL with jsonb_to_recordset (set-based writes). */
function jsonParam(value: readonly unknown[]) {
  return sql`${JSON.stringify(value)}::jsonb`;
}

/**
 * Queries for MIS imports: what the pupil import compares a file with and the set-based writes
 * applying it makes to pupils, parents and their links, plus the `pupil_imports` reads the
 * dashboard needs (the rows' state is the import pipeline's, platform/imports). Every query is
 * scoped by school.
 */
export class ImportRepository {
  /** The confirmer's answer: does the file list every pupil on roll? */
  async setWholeRoll(db: Db, id: string, wholeRoll: boolean): Promise<void> {
    await db.update(pupilImports).set({ wholeRoll }).where(eq(pupilImports.id, id));
  }

  /** Clean previews nobody has confirmed yet and that no later import has overtaken. */
  async awaitingConfirmation(
    db: Db,
    schoolId: string,
  ): Promise<{ id: string; filename: string; createdAt: Date }[]> {
    return runPrepared(
      db
        .select({
          id: pupilImports.id,
          filename: pupilImports.filename,
          createdAt: pupilImports.createdAt,
        })
        .from(pupilImports)
        .where(
          and(
            eq(pupilImports.schoolId, schoolId),
            eq(pupilImports.status, 'previewed'),
            sql`NOT EXISTS (SELECT 1 FROM ${pupilImports} later
                 WHERE later.school_id = ${pupilImports.schoolId}
                   AND later.status IN ('committing', 'committed')
                   AND later.created_at > ${pupilImports.createdAt})`,
          ),
        )
        .orderBy(desc(pupilImports.createdAt))
        .limit(5),
    );
  }

  // -------------------------------------------------------------------------------------------
  // What a commit compares against

  async loadPupils(db: Db, schoolId: string): Promise<ExistingPupil[]> {
    return db
      .select({
        id: pupils.id,
        misId: pupils.misId,
        givenName: pupils.givenName,
        familyName: pupils.familyName,
        preferredGivenName: pupils.preferredGivenName,
        preferredFamilyName: pupils.preferredFamilyName,
        dateOfBirth: pupils.dateOfBirth,
        yearGroup: pupils.yearGroup,
        className: pupils.className,
        admissionDate: pupils.admissionDate,
        leavingDate: pupils.leavingDate,
        email: pupils.email,
        possiblyLeftAt: pupils.possiblyLeftAt,
      })
      .from(pupils)
      .where(eq(pupils.schoolId, schoolId))
      .orderBy(asc(pupils.misId));
  }

  async loadParents(db: Db, schoolId: string): Promise<ExistingParent[]> {
    return db
      .select({
        id: parents.id,
        misId: parents.misId,
        givenName: parents.givenName,
        familyName: parents.familyName,
        email: parents.email,
        phone: parents.phone,
      })
      .from(parents)
      .where(eq(parents.schoolId, schoolId))
      .orderBy(asc(parents.createdAt), asc(parents.id));
  }

  async loadLinks(db: Db, schoolId: string): Promise<ExistingLink[]> {
    return db
      .select({
        pupilId: pupilParents.pupilId,
        parentId: pupilParents.parentId,
        relationship: pupilParents.relationship,
        parentalResponsibility: pupilParents.parentalResponsibility,
      })
      .from(pupilParents)
      .where(eq(pupilParents.schoolId, schoolId));
  }

  // -------------------------------------------------------------------------------------------
  // Set-based writes (one statement per batch)

  /**
   * Inserts new pupils and updates existing ones (matched on school + MIS id) in one statement.
   * A row is only rewritten when something differs or it was flagged as possibly left (the flag
   * is cleared), so sending an unchanged row changes nothing.
   */
  async upsertPupils(
    db: Db,
    schoolId: string,
    rows: readonly PupilWrite[],
    now: Date,
  ): Promise<{ inserted: number; updated: number }> {
    if (rows.length === 0) return { inserted: 0, updated: 0 };
    const payload = rows.map((r) => ({
      id: r.id,
      mis_id: r.misId,
      given_name: r.givenName,
      family_name: r.familyName,
      preferred_given_name: r.preferredGivenName,
      preferred_family_name: r.preferredFamilyName,
      date_of_birth: r.dateOfBirth,
      year_group: r.yearGroup,
      class_name: r.className,
      admission_date: r.admissionDate,
      leaving_date: r.leavingDate,
      email: r.email,
      search_text: pupilSearchText(r),
    }));
    const result = await db.execute<{ inserted: boolean }>(sql`
      INSERT INTO pupils AS p (id, school_id, mis_id, given_name, family_name,
        preferred_given_name, preferred_family_name, date_of_birth, year_group, class_name,
        admission_date, leaving_date, email, search_text, created_at, updated_at)
      SELECT r.id, ${schoolId}::uuid, r.mis_id, r.given_name, r.family_name,
        r.preferred_given_name, r.preferred_family_name, r.date_of_birth, r.year_group,
        r.class_name, r.admission_date, r.leaving_date, r.email, r.search_text,
        ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
      FROM jsonb_to_recordset(${jsonParam(payload)}) AS r(id uuid, mis_id text, given_name text,
        family_name text, preferred_given_name text, preferred_family_name text,
        date_of_birth date, year_group text, class_name text, admission_date date,
        leaving_date date, email text, search_text text)
      ON CONFLICT (school_id, mis_id) DO UPDATE SET
        given_name = excluded.given_name,
        family_name = excluded.family_name,
        preferred_given_name = excluded.preferred_given_name,
        preferred_family_name = excluded.preferred_family_name,
        date_of_birth = excluded.date_of_birth,
        year_group = excluded.year_group,
        class_name = excluded.class_name,
        admission_date = excluded.admission_date,
        leaving_date = excluded.leaving_date,
        email = excluded.email,
        search_text = excluded.search_text,
        possibly_left_at = NULL,
        updated_at = excluded.updated_at
      WHERE (p.given_name, p.family_name, p.preferred_given_name, p.preferred_family_name,
          p.date_of_birth, p.year_group, p.class_name, p.admission_date, p.leaving_date, p.email,
          p.search_text)
        IS DISTINCT FROM (excluded.given_name, excluded.family_name,
          excluded.preferred_given_name, excluded.preferred_family_name, excluded.date_of_birth,
          excluded.year_group, excluded.class_name, excluded.admission_date,
          excluded.leaving_date, excluded.email, excluded.search_text)
        OR p.possibly_left_at IS NOT NULL
      RETURNING (xmax = 0) AS inserted`);
    const inserted = result.rows.filter((r) => r.inserted).length;
    return { inserted, updated: result.rows.length - inserted };
  }

  /** Flags pupils as possibly left (missing from the import); already-flagged ones keep their date. */
  async markPossiblyLeft(
    db: Db,
    schoolId: string,
    pupilIds: readonly string[],
    at: Date,
  ): Promise<number> {
    if (pupilIds.length === 0) return 0;
    const result = await db.execute(sql`
      UPDATE pupils SET possibly_left_at = ${at.toISOString()}::timestamptz
      WHERE school_id = ${schoolId}::uuid
        AND possibly_left_at IS NULL
        AND id IN (SELECT jsonb_array_elements_text(${jsonParam(pupilIds)})::uuid)`);
    return result.rowCount ?? 0;
  }

  /** Clears the possibly-left flag (a pupil is back in the MIS export). */
  async clearPossiblyLeft(db: Db, schoolId: string, pupilIds: readonly string[]): Promise<number> {
    if (pupilIds.length === 0) return 0;
    const result = await db.execute(sql`
      UPDATE pupils SET possibly_left_at = NULL
      WHERE school_id = ${schoolId}::uuid
        AND possibly_left_at IS NOT NULL
        AND id IN (SELECT jsonb_array_elements_text(${jsonParam(pupilIds)})::uuid)`);
    return result.rowCount ?? 0;
  }

  /** Inserts new parents with the ids given (so links can refer to them in the same commit). */
  async insertParents(
    db: Db,
    schoolId: string,
    rows: readonly ParentWrite[],
    now: Date,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const payload = parentPayload(rows);
    const result = await db.execute(sql`
      INSERT INTO parents (id, school_id, mis_id, given_name, family_name, email, phone,
        created_at, updated_at)
      SELECT r.id, ${schoolId}::uuid, r.mis_id, r.given_name, r.family_name, r.email, r.phone,
        ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
      FROM jsonb_to_recordset(${jsonParam(payload)}) AS r(id uuid, mis_id text, given_name text,
        family_name text, email text, phone text)`);
    return result.rowCount ?? 0;
  }

  /** Updates parents by id, only where something differs. */
  async updateParents(
    db: Db,
    schoolId: string,
    rows: readonly ParentWrite[],
    now: Date,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const payload = parentPayload(rows);
    const result = await db.execute(sql`
      UPDATE parents AS p SET
        mis_id = r.mis_id,
        given_name = r.given_name,
        family_name = r.family_name,
        email = r.email,
        phone = r.phone,
        updated_at = ${now.toISOString()}::timestamptz
      FROM jsonb_to_recordset(${jsonParam(payload)}) AS r(id uuid, mis_id text, given_name text,
        family_name text, email text, phone text)
      WHERE p.id = r.id AND p.school_id = ${schoolId}::uuid
        AND (p.mis_id, p.given_name, p.family_name, p.email, p.phone)
          IS DISTINCT FROM (r.mis_id, r.given_name, r.family_name, r.email, r.phone)`);
    return result.rowCount ?? 0;
  }

  /** Inserts links and updates changed ones (relationship, parental responsibility). */
  async upsertLinks(db: Db, schoolId: string, rows: readonly LinkWrite[]): Promise<number> {
    if (rows.length === 0) return 0;
    const payload = rows.map((r) => ({
      pupil_id: r.pupilId,
      parent_id: r.parentId,
      relationship: r.relationship,
      parental_responsibility: r.parentalResponsibility,
    }));
    const result = await db.execute(sql`
      INSERT INTO pupil_parents AS l (school_id, pupil_id, parent_id, relationship,
        parental_responsibility)
      SELECT ${schoolId}::uuid, r.pupil_id, r.parent_id, r.relationship, r.parental_responsibility
      FROM jsonb_to_recordset(${jsonParam(payload)}) AS r(pupil_id uuid, parent_id uuid,
        relationship text, parental_responsibility boolean)
      ON CONFLICT (pupil_id, parent_id) DO UPDATE SET
        relationship = excluded.relationship,
        parental_responsibility = excluded.parental_responsibility
      WHERE l.school_id = excluded.school_id
        AND (l.relationship, l.parental_responsibility)
          IS DISTINCT FROM (excluded.relationship, excluded.parental_responsibility)`);
    return result.rowCount ?? 0;
  }

  /** Removes links between pupils and contacts the MIS no longer lists for them. */
  async removeLinks(
    db: Db,
    schoolId: string,
    rows: readonly { pupilId: string; parentId: string }[],
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const payload = rows.map((r) => ({ pupil_id: r.pupilId, parent_id: r.parentId }));
    const result = await db.execute(sql`
      DELETE FROM pupil_parents AS l
      USING jsonb_to_recordset(${jsonParam(payload)}) AS r(pupil_id uuid, parent_id uuid)
      WHERE l.school_id = ${schoolId}::uuid AND l.pupil_id = r.pupil_id
        AND l.parent_id = r.parent_id`);
    return result.rowCount ?? 0;
  }
}
