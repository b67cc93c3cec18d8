import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { runPrepared, type Db } from '../../platform/db/database.ts';
import { parents, pupilImports, pupilParents, pupils } from './people.tables.ts';
import { pupilSearchText } from './people.repository.ts';

export type PupilImportRecord = typeof pupilImports.$inferSelect;

/** uploaded → previewing → previewed | rejected → committing → committed | failed */
export type ImportStatus =
  'uploaded' | 'previewing' | 'previewed' | 'rejected' | 'committing' | 'committed' | 'failed';

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

export interface ImportCreate {
  id: string;
  schoolId: string;
  filename: string;
  sha256: string;
  sizeBytes: number;
  status: ImportStatus;
  fileError: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export interface ImportUpdate {
  fileError?: string | null;
  preview?: unknown;
  summary?: unknown;
  committedAt?: Date | null;
  progressDone?: number;
  progressTotal?: number;
  wholeRoll?: boolean | null;
  confirmedBy?: string | null;
}

/** One parameter holding many rows, unpacked in SQL with jsonb_to_recordset (set-based writes). */
function jsonParam(value: readonly unknown[]) {
  return sql`${JSON.stringify(value)}::jsonb`;
}

/**
 * Queries for MIS imports: the `pupil_imports` rows and the set-based writes a commit makes to
 * pupils, parents and their links. Every query is scoped by school.
 */
export class ImportRepository {
  async create(db: Db, values: ImportCreate): Promise<PupilImportRecord> {
    const [row] = await db.insert(pupilImports).values(values).returning();
    return row!;
  }

  /** An import of this school, or undefined (another school's id looks missing). */
  async get(db: Db, schoolId: string, id: string): Promise<PupilImportRecord | undefined> {
    const rows = await db
      .select()
      .from(pupilImports)
      .where(and(eq(pupilImports.schoolId, schoolId), eq(pupilImports.id, id)))
      .limit(1);
    return rows[0];
  }

  /** For jobs, which carry only the import id. */
  async getById(db: Db, id: string): Promise<PupilImportRecord | undefined> {
    const rows = await db.select().from(pupilImports).where(eq(pupilImports.id, id)).limit(1);
    return rows[0];
  }

  async updateProgress(db: Db, id: string, done: number, total: number): Promise<void> {
    await db
      .update(pupilImports)
      .set({ progressDone: done, progressTotal: total })
      .where(eq(pupilImports.id, id));
  }

  /**
   * Moves an import to `to` only if it is in one of the `from` statuses (so a job run twice, or two
   * people pressing the button at once, cannot move it twice). True when it moved.
   */
  async setStatus(
    db: Db,
    id: string,
    from: readonly ImportStatus[],
    to: ImportStatus,
    fields: ImportUpdate = {},
  ): Promise<boolean> {
    const rows = await db
      .update(pupilImports)
      .set({ status: to, ...fields })
      .where(and(eq(pupilImports.id, id), inArray(pupilImports.status, [...from])))
      .returning({ id: pupilImports.id });
    return rows.length > 0;
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

  async listRecent(db: Db, schoolId: string, limit = 20): Promise<PupilImportRecord[]> {
    return db
      .select()
      .from(pupilImports)
      .where(eq(pupilImports.schoolId, schoolId))
      .orderBy(desc(pupilImports.createdAt), desc(pupilImports.id))
      .limit(limit);
  }

  /** Whether another import of the school was committed (or is committing) after this one was uploaded. */
  async overtaken(db: Db, schoolId: string, id: string, createdAt: Date): Promise<boolean> {
    const rows = await db
      .select({ id: pupilImports.id })
      .from(pupilImports)
      .where(
        and(
          eq(pupilImports.schoolId, schoolId),
          sql`${pupilImports.id} <> ${id}`,
          inArray(pupilImports.status, ['committing', 'committed']),
          sql`${pupilImports.createdAt} > ${createdAt.toISOString()}`,
        ),
      )
      .limit(1);
    return rows.length > 0;
  }

  /**
   * Imports of every school that a job was working on (checking the file or saving it): after a
   * crash these wait for a job that may never come back (see ImportService.resumeInterrupted).
   */
  async listUnfinished(
    db: Db,
  ): Promise<{ id: string; status: ImportStatus; confirmedBy: string | null; createdAt: Date }[]> {
    const rows = await db
      .select({
        id: pupilImports.id,
        status: pupilImports.status,
        confirmedBy: pupilImports.confirmedBy,
        createdAt: pupilImports.createdAt,
      })
      .from(pupilImports)
      .where(inArray(pupilImports.status, ['uploaded', 'previewing', 'committing']))
      .orderBy(asc(pupilImports.createdAt));
    return rows.map((r) => ({ ...r, status: r.status as ImportStatus }));
  }

  /** Serialises commits of one school's imports until the transaction ends. */
  async lockSchool(db: Db, schoolId: string): Promise<void> {
    await db.execute(
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`pupil-import:${schoolId}`}, 0))`,
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
      date_of_birth: r.dateOfBirth,
      year_group: r.yearGroup,
      class_name: r.className,
      admission_date: r.admissionDate,
      leaving_date: r.leavingDate,
      email: r.email,
      search_text: pupilSearchText(r),
    }));
    const result = await db.execute<{ inserted: boolean }>(sql`
      INSERT INTO pupils AS p (id, school_id, mis_id, given_name, family_name, date_of_birth,
        year_group, class_name, admission_date, leaving_date, email, search_text, created_at,
        updated_at)
      SELECT r.id, ${schoolId}::uuid, r.mis_id, r.given_name, r.family_name, r.date_of_birth,
        r.year_group, r.class_name, r.admission_date, r.leaving_date, r.email, r.search_text,
        ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz
      FROM jsonb_to_recordset(${jsonParam(payload)}) AS r(id uuid, mis_id text, given_name text,
        family_name text, date_of_birth date, year_group text, class_name text,
        admission_date date, leaving_date date, email text, search_text text)
      ON CONFLICT (school_id, mis_id) DO UPDATE SET
        given_name = excluded.given_name,
        family_name = excluded.family_name,
        date_of_birth = excluded.date_of_birth,
        year_group = excluded.year_group,
        class_name = excluded.class_name,
        admission_date = excluded.admission_date,
        leaving_date = excluded.leaving_date,
        email = excluded.email,
        search_text = excluded.search_text,
        possibly_left_at = NULL,
        updated_at = excluded.updated_at
      WHERE (p.given_name, p.family_name, p.date_of_birth, p.year_group, p.class_name,
          p.admission_date, p.leaving_date, p.email, p.search_text)
        IS DISTINCT FROM (excluded.given_name, excluded.family_name, excluded.date_of_birth,
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
