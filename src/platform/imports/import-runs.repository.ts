import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/database.ts';

/** uploaded → previewing → previewed | rejected → committing → committed | failed */
export type ImportStatus =
  'uploaded' | 'previewing' | 'previewed' | 'rejected' | 'committing' | 'committed' | 'failed';

/** The statuses a job is working on (or should be): what a crash can leave behind. */
export const ACTIVE_STATUSES: readonly ImportStatus[] = ['uploaded', 'previewing', 'committing'];

/** The statuses whose stored file is still needed (to check, confirm, apply or try again). */
export const FILE_NEEDED: readonly ImportStatus[] = [
  'uploaded',
  'previewing',
  'previewed',
  'committing',
  'failed',
];

/**
 * One import as the pipeline keeps it: a row of the kind's own table (`pupil_imports`,
 * `consent_imports`…), which has at least these columns (docs/architecture.md, "Imports"). Extra
 * columns of a kind (e.g. `whole_roll`) come along under their camelCase names.
 */
export interface ImportRun {
  id: string;
  schoolId: string;
  filename: string;
  sha256: string;
  sizeBytes: number;
  status: ImportStatus;
  fileError: string | null;
  preview: unknown;
  summary: unknown;
  progressDone: number;
  progressTotal: number;
  createdBy: string | null;
  confirmedBy: string | null;
  createdAt: Date;
  committedAt: Date | null;
  /** How many times a crashed job's work was queued again (the pipeline gives up after a few). */
  attempts: number;
  /** Last sign of life of the job working on it; null until a job starts. */
  heartbeatAt: Date | null;
}

/** Who uploaded and confirmed an import, with the names kept after their records were deleted. */
export interface ImportKeptNames {
  id: string;
  createdBy: string | null;
  createdByName: string | null;
  confirmedBy: string | null;
  confirmedByName: string | null;
}

export interface ImportRunCreate {
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

export interface ImportRunUpdate {
  fileError?: string | null;
  preview?: unknown;
  summary?: unknown;
  committedAt?: Date | null;
  progressDone?: number;
  progressTotal?: number;
  confirmedBy?: string | null;
  heartbeatAt?: Date | null;
  attempts?: number;
}

const COLUMNS: Record<keyof ImportRunUpdate, string> = {
  fileError: 'file_error',
  preview: 'preview',
  summary: 'summary',
  committedAt: 'committed_at',
  progressDone: 'progress_done',
  progressTotal: 'progress_total',
  confirmedBy: 'confirmed_by',
  heartbeatAt: 'heartbeat_at',
  attempts: 'attempts',
};

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A timestamp as Drizzle's raw queries return it ('2026-12-06 22:36:12.123+00') as a Date. */
function toDate(value: string): Date {
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(iso);
}

function toRun(row: Record<string, unknown>): ImportRun {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    const name = camel(key);
    out[name] = name.endsWith('At') && typeof value === 'string' ? toDate(value) : value;
  }
  return out as unknown as ImportRun;
}

function value(key: keyof ImportRunUpdate, v: unknown): SQL {
  if (key === 'preview' || key === 'summary') {
    return v === null || v === undefined ? sql`NULL` : sql`${JSON.stringify(v)}::jsonb`;
  }
  if (v instanceof Date) return sql`${v.toISOString()}::timestamptz`;
  return sql`${v ?? null}`;
}

function assignments(fields: ImportRunUpdate): SQL[] {
  return (Object.keys(fields) as (keyof ImportRunUpdate)[])
    .filter((k) => fields[k] !== undefined)
    .map((k) => sql`${sql.identifier(COLUMNS[k])} = ${value(k, fields[k])}`);
}

/**
 * The pipeline's queries on one kind's import table (named by the kind, so one repository serves
 * every kind). Every query a page makes is scoped by school; jobs, which carry only an id, use
 * `getById`.
 */
export class ImportRunRepository {
  private readonly t: SQL;

  constructor(readonly table: string) {
    this.t = sql`${sql.identifier(table)}`;
  }

  async create(db: Db, v: ImportRunCreate): Promise<void> {
    await db.execute(sql`
      INSERT INTO ${this.t} (id, school_id, filename, sha256, size_bytes, status, file_error,
        created_by, created_at)
      VALUES (${v.id}, ${v.schoolId}, ${v.filename}, ${v.sha256}, ${v.sizeBytes}, ${v.status},
        ${v.fileError}, ${v.createdBy}, ${v.createdAt.toISOString()}::timestamptz)`);
  }

  /** An import of this school, or undefined (another school's id looks missing). */
  async get(
    db: Db,
    schoolId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<ImportRun | undefined> {
    const lock = options.forUpdate ? sql` FOR UPDATE` : sql``;
    const result = await db.execute<Record<string, unknown>>(
      sql`SELECT * FROM ${this.t} WHERE school_id = ${schoolId} AND id = ${id} LIMIT 1${lock}`,
    );
    return result.rows[0] ? toRun(result.rows[0]) : undefined;
  }

  /** For jobs, which carry only the import id. */
  async getById(db: Db, id: string): Promise<ImportRun | undefined> {
    const result = await db.execute<Record<string, unknown>>(
      sql`SELECT * FROM ${this.t} WHERE id = ${id} LIMIT 1`,
    );
    return result.rows[0] ? toRun(result.rows[0]) : undefined;
  }

  /**
   * Of these imports of the school, those that keep the name of a former member of staff who
   * uploaded or confirmed them (written by the retention sweep when it deleted their record).
   */
  async keptNames(db: Db, schoolId: string, ids: readonly string[]): Promise<ImportKeptNames[]> {
    if (!ids.length) return [];
    const result = await db.execute<{
      id: string;
      created_by: string | null;
      created_by_name: string | null;
      confirmed_by: string | null;
      confirmed_by_name: string | null;
    }>(
      sql`SELECT id, created_by, created_by_name, confirmed_by, confirmed_by_name FROM ${this.t}
          WHERE school_id = ${schoolId}
            AND id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
            AND (created_by_name IS NOT NULL OR confirmed_by_name IS NOT NULL)`,
    );
    return result.rows.map((r) => ({
      id: r.id,
      createdBy: r.created_by,
      createdByName: r.created_by_name,
      confirmedBy: r.confirmed_by,
      confirmedByName: r.confirmed_by_name,
    }));
  }

  async listRecent(db: Db, schoolId: string, limit: number): Promise<ImportRun[]> {
    const result = await db.execute<Record<string, unknown>>(
      sql`SELECT * FROM ${this.t} WHERE school_id = ${schoolId}
          ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
    );
    return result.rows.map(toRun);
  }

  /** Progress (and a sign of life) from the job working on it. */
  async updateProgress(db: Db, id: string, done: number, total: number, at: Date): Promise<void> {
    await db.execute(sql`
      UPDATE ${this.t} SET progress_done = ${done}, progress_total = ${total},
        heartbeat_at = ${at.toISOString()}::timestamptz
      WHERE id = ${id}`);
  }

  async touch(db: Db, id: string, at: Date): Promise<void> {
    await db.execute(
      sql`UPDATE ${this.t} SET heartbeat_at = ${at.toISOString()}::timestamptz WHERE id = ${id}`,
    );
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
    fields: ImportRunUpdate = {},
  ): Promise<boolean> {
    const set = [sql`status = ${to}`, ...assignments(fields)];
    const result = await db.execute(sql`
      UPDATE ${this.t} SET ${sql.join(set, sql`, `)}
      WHERE id = ${id} AND status IN (${sql.join(
        from.map((s) => sql`${s}`),
        sql`, `,
      )})
      RETURNING id`);
    return result.rows.length > 0;
  }

  /** Whether another import of the school was committed (or is committing) after this one was uploaded. */
  async overtaken(db: Db, schoolId: string, id: string, createdAt: Date): Promise<boolean> {
    const result = await db.execute(sql`
      SELECT 1 FROM ${this.t}
      WHERE school_id = ${schoolId} AND id <> ${id}
        AND status IN ('committing', 'committed')
        AND created_at > ${createdAt.toISOString()}::timestamptz
      LIMIT 1`);
    return result.rows.length > 0;
  }

  /** Imports of every school that a job is (or was) working on, oldest first. */
  async listActive(db: Db): Promise<ImportRun[]> {
    const result = await db.execute<Record<string, unknown>>(
      sql`SELECT * FROM ${this.t} WHERE status IN ('uploaded', 'previewing', 'committing')
          ORDER BY created_at`,
    );
    return result.rows.map(toRun);
  }

  /** The statuses of these imports (ids not found are missing from the map). */
  async statuses(db: Db, ids: readonly string[]): Promise<Map<string, ImportStatus>> {
    if (ids.length === 0) return new Map();
    const result = await db.execute<{ id: string; status: ImportStatus }>(sql`
      SELECT id, status FROM ${this.t}
      WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::uuid)`);
    return new Map(result.rows.map((r) => [r.id, r.status]));
  }

  /** Serialises applying one school's imports of this kind until the transaction ends. */
  async lockSchool(db: Db, schoolId: string): Promise<void> {
    await db.execute(
      sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${this.lockName}:${schoolId}`}, 0))`,
    );
  }

  /** `pupil_imports` keeps the lock name it always had ("pupil-import"). */
  private get lockName(): string {
    return this.table.replace(/s$/, '').replace(/_/g, '-');
  }
}
