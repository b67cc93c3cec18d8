import crypto from 'node:crypto';
import type { Database, Db, Tx } from '../db/database.ts';
import type { Clock } from '../clock.ts';
import { FileNotFoundError, type FileStore } from '../files/file-store.ts';
import { displayFilename } from '../files/display-filename.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import {
  FILE_NEEDED,
  ImportRunRepository,
  type ImportKeptNames,
  type ImportRun,
  type ImportStatus,
} from './import-runs.repository.ts';

export type { ImportKeptNames, ImportRun, ImportStatus };

/**
 * One upload → preview → confirm → apply flow for every kind of import (pupils from the MIS,
 * existing consents, and later staff, training attendance…): docs/architecture.md, "Imports",
 * and docs/adr/0022. The file lives in the FileStore from the upload until the import is applied
 * or rejected, so the worker that checks or applies it can be on another host. Checking and
 * applying are jobs, safe to run twice; a job a crash interrupted is queued again (on worker
 * start, and by the minutely resume job for a worker that died while others live on), and after
 * a few tries the import fails cleanly instead of waiting for ever.
 */

/** Who did it, as the audit log names them (the audit module's `Actor`). */
export interface ImportActor {
  kind: string;
  id: string | null;
}

export type ImportPhase = 'checking' | 'comparing' | 'saving';
export type ProgressListener = (phase: ImportPhase, done: number, total: number) => void;

/** A failure whose message can be shown to school staff as it is. */
export class ImportFailure extends Error {
  /**
   * `retry`: the import is `failed` and can be tried again with the same file; otherwise it is
   * `rejected` (e.g. the data changed since the preview: upload the file again).
   */
  constructor(
    message: string,
    readonly retry = true,
  ) {
    super(message);
    this.name = 'ImportFailure';
  }
}

/** What the preview step found: a file that cannot be used at all, or a preview. */
export type PreviewOutcome<Preview> =
  { fileError: string } | { preview: Preview; canCommit: boolean; rows: number };

export interface StepContext {
  /** The CLI's progress bar (jobs have none). */
  onProgress: ProgressListener | undefined;
  /** Writes progress to the import row (seen by the progress page); also a sign of life. */
  progress(done: number, total: number): Promise<void>;
  /** When the step started (for the summary's duration). */
  started: number;
}

/** One kind of import: the one file a new import writes (docs/architecture.md, "Imports"). */
export interface ImportKind<
  Preview extends { canCommit: boolean },
  Summary,
  Prepared,
  Options,
  A extends ImportActor,
> {
  /** Names the stored files (`imports/<school>/<name>-<import id>.csv`) and the log lines. */
  name: string;
  /** The kind's table, with the pipeline's columns (docs/architecture.md, "Imports"). */
  table: string;
  /** The file name kept when the upload has none. */
  defaultFilename: string;
  messages: {
    /** Confirming a preview with problems. */
    cannotCommit: string;
    /** Confirming a file uploaded before one that has since been applied. */
    overtaken: string;
    /** Applying failed for an unexpected reason (nothing changed). */
    failed: string;
  };
  /** Cheap checks at upload (the first bytes, the size): a message refuses the file, unstored. */
  check?(data: Buffer): string | null;
  /** The preview step (a job): parse the file, list row errors, compare it with the school's data. */
  preview(ctx: StepContext & { run: ImportRun; data: Buffer }): Promise<PreviewOutcome<Preview>>;
  /**
   * The apply step, before its transaction (a job): e.g. parse the file again. Throw
   * {@link ImportFailure} to stop with a message. `file()` is the stored file, checked unchanged.
   */
  prepare(ctx: StepContext & { run: ImportRun; file(): Promise<Buffer> }): Promise<Prepared>;
  /**
   * Applies everything in the pipeline's ONE transaction (this kind's imports of the school are
   * serialised, the import is still `committing`), with the audit event. All or nothing: throw
   * to change nothing ({@link ImportFailure} for a message staff can act on).
   */
  apply(
    tx: Tx,
    ctx: StepContext & { run: ImportRun; prepared: Prepared; actor: A; now: Date },
  ): Promise<Summary>;
  /** In the upload's transaction (its audit event). */
  uploaded?(tx: Tx, run: ImportRun, actor: A): Promise<void>;
  /** In the transaction that stores the preview (e.g. an audit event with the counts). */
  previewed?(tx: Tx, run: ImportRun, outcome: PreviewOutcome<Preview>): Promise<void>;
  /** In the confirm's transaction: the confirmer's answers and the audit event. */
  confirmed?(tx: Tx, run: ImportRun, actor: A, options: Options): Promise<void>;
}

/** How the pipeline queues its two jobs (the module names them: `<module>.import-preview`…). */
export interface ImportJobs {
  preview(importId: string, tx?: Tx): Promise<void>;
  apply(importId: string, actorId: string | null, tx?: Tx): Promise<void>;
}

/** A job that shows no sign of life for this long is taken as lost with its process. */
export const STALE_AFTER_MS = 30_000;
/** How often a running job says it is alive. */
const HEARTBEAT_MS = 10_000;
/** Lost this many times, an import fails cleanly instead of being queued again. */
export const MAX_ATTEMPTS = 3;
/** A stored file with no import needing it is removed once it is this old. */
const ORPHAN_AFTER_MS = 60 * 60_000;

function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export class ImportPipeline<
  Preview extends { canCommit: boolean },
  Summary,
  Prepared,
  Options,
  A extends ImportActor,
> {
  readonly runs: ImportRunRepository;

  constructor(
    readonly kind: ImportKind<Preview, Summary, Prepared, Options, A>,
    private readonly deps: {
      database: Database;
      files: FileStore;
      clock: Clock;
      jobs: ImportJobs;
    },
  ) {
    this.runs = new ImportRunRepository(kind.table);
  }

  private get db(): Db {
    return this.deps.database.db;
  }

  /** Where an import's file is kept in the FileStore. */
  fileKey(run: Pick<ImportRun, 'id' | 'schoolId'>): string {
    return `imports/${run.schoolId}/${this.kind.name}-${run.id}.csv`;
  }

  private async removeFile(run: ImportRun): Promise<void> {
    await this.deps.files.delete(this.fileKey(run));
  }

  /**
   * Records an upload. A file the kind's cheap checks refuse is recorded as rejected with its
   * message and not stored; otherwise the file goes into the FileStore (in place before the row
   * exists, so a row never points at a missing file; a crash in between leaves an orphan the
   * resume job removes) and the row and its preview job are committed together.
   */
  async upload(
    schoolId: string,
    actor: A,
    file: { filename: string; data: Buffer },
    options: { queue?: boolean } = {},
  ): Promise<string> {
    const { database, files, clock, jobs } = this.deps;
    const data = file.data;
    if (data.length === 0) throw new ValidationError({ file: 'The selected file is empty' });
    const id = crypto.randomUUID();
    const fileError = this.kind.check?.(data) ?? null;
    const run = {
      id,
      schoolId,
      filename: displayFilename(file.filename, this.kind.defaultFilename),
      sha256: sha256(data),
      sizeBytes: data.length,
      status: (fileError ? 'rejected' : 'uploaded') as ImportStatus,
      fileError,
      createdBy: actor.kind === 'staff' ? actor.id : null,
      createdAt: clock.now(),
    };
    const key = this.fileKey(run);
    if (!fileError) {
      const temp = await files.writeTemp(data);
      await files.commit(temp.name, key);
    }
    try {
      await database.transaction(async (tx) => {
        await this.runs.create(tx.db, run);
        if (!fileError && options.queue !== false) await jobs.preview(id, tx);
        const created = await this.runs.getById(tx.db, id);
        await this.kind.uploaded?.(tx, created!, actor);
      });
    } catch (error) {
      if (!fileError) await files.delete(key).catch(() => undefined);
      throw error;
    }
    return id;
  }

  /** Keeps `heartbeat_at` fresh while a job works, so the resume job leaves it alone. */
  private async alive<T>(id: string, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      void this.runs.touch(this.db, id, this.deps.clock.now()).catch(() => undefined);
    }, HEARTBEAT_MS);
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private context(id: string, onProgress: ProgressListener | undefined): StepContext {
    return {
      onProgress,
      started: Date.now(),
      progress: (done, total) =>
        this.runs.updateProgress(this.db, id, done, total, this.deps.clock.now()),
    };
  }

  /**
   * The preview job: reads the stored file, lets the kind check it and compare it with the
   * school's data, and stores the preview. Writes only the import row, so running it twice is
   * harmless.
   */
  async preview(
    importId: string,
    hooks: { onProgress?: ProgressListener } = {},
  ): Promise<ImportRun | undefined> {
    const { files, database, clock } = this.deps;
    const run = await this.runs.getById(this.db, importId);
    if (!run) return undefined;
    if (run.status !== 'uploaded' && run.status !== 'previewing') return run;
    const active: ImportStatus[] = ['uploaded', 'previewing'];

    let data: Buffer;
    try {
      data = await files.read(this.fileKey(run));
    } catch (error) {
      if (!(error instanceof FileNotFoundError)) throw error;
      await this.runs.setStatus(this.db, importId, active, 'rejected', {
        fileError: 'The uploaded file could not be found. Upload it again.',
      });
      return this.runs.getById(this.db, importId);
    }
    await this.runs.setStatus(this.db, importId, active, 'previewing', {
      progressDone: 0,
      progressTotal: Math.max(0, countLines(data) - 1),
      heartbeatAt: clock.now(),
    });
    const outcome = await this.alive(importId, () =>
      this.kind.preview({ ...this.context(importId, hooks.onProgress), run, data }),
    );
    const rejected = 'fileError' in outcome || !outcome.canCommit;
    await database.transaction(async (tx) => {
      const moved = await this.runs.setStatus(
        tx.db,
        importId,
        active,
        rejected ? 'rejected' : 'previewed',
        'fileError' in outcome
          ? { fileError: outcome.fileError, progressDone: 0, progressTotal: 0 }
          : { preview: outcome.preview, progressDone: outcome.rows, progressTotal: outcome.rows },
      );
      if (!moved) return; // another run of the job finished first
      const stored = await this.runs.getById(tx.db, importId);
      await this.kind.previewed?.(tx, stored!, outcome);
    });
    if (rejected) await this.removeFile(run);
    return this.runs.getById(this.db, importId);
  }

  /**
   * Confirms a clean preview: status `committing` and the apply job, in one transaction. Pressing
   * it twice is harmless; a failed import can be tried again.
   */
  async requestCommit(
    schoolId: string,
    actor: A,
    importId: string,
    options: Options,
    queue = true,
  ): Promise<void> {
    const { database, jobs } = this.deps;
    await database.transaction(async (tx) => {
      const run = await this.runs.get(tx.db, schoolId, importId, { forUpdate: true });
      if (!run) throw new NotFoundError();
      if (run.status === 'committing' || run.status === 'committed') return; // pressed twice
      const preview = run.preview as { canCommit?: boolean } | null;
      if ((run.status !== 'previewed' && run.status !== 'failed') || !preview?.canCommit) {
        throw new ConflictError(this.kind.messages.cannotCommit);
      }
      if (await this.runs.overtaken(tx.db, schoolId, importId, run.createdAt)) {
        throw new ConflictError(this.kind.messages.overtaken);
      }
      const confirmedBy = actor.kind === 'staff' ? actor.id : null;
      const moved = await this.runs.setStatus(
        tx.db,
        importId,
        ['previewed', 'failed'],
        'committing',
        {
          fileError: null,
          progressDone: 0,
          progressTotal: 0,
          confirmedBy,
          heartbeatAt: null,
          attempts: 0,
        },
      );
      if (!moved) return;
      if (queue) await jobs.apply(importId, confirmedBy, tx);
      await this.kind.confirmed?.(tx, run, actor, options);
    });
  }

  /**
   * The apply job. Safe to run twice: only an import still `committing` is applied, once, under
   * the school's lock. On any error nothing is applied and the import is marked failed (or
   * rejected, when the kind says the file must be uploaded again); unexpected errors are
   * rethrown for the job log.
   */
  async commit(
    importId: string,
    actor: A,
    hooks: { onProgress?: ProgressListener } = {},
  ): Promise<ImportRun | undefined> {
    const { database, files, clock } = this.deps;
    const run = await this.runs.getById(this.db, importId);
    if (!run) return undefined;
    if (run.status !== 'committing') return run;
    await this.runs.touch(this.db, importId, clock.now());
    const ctx = this.context(importId, hooks.onProgress);
    let committed = false;
    try {
      await this.alive(importId, async () => {
        const prepared = await this.kind.prepare({
          ...ctx,
          run,
          file: async () => {
            const data = await files.read(this.fileKey(run)).catch((error: unknown) => {
              if (error instanceof FileNotFoundError) {
                throw new ImportFailure(
                  'The uploaded file is no longer available. Upload it again.',
                );
              }
              throw error;
            });
            if (sha256(data) !== run.sha256) {
              throw new ImportFailure(
                'The stored file has changed since it was checked. Upload it again.',
              );
            }
            return data;
          },
        });
        committed = await database.transaction(async (tx) => {
          await this.runs.lockSchool(tx.db, run.schoolId);
          const fresh = await this.runs.getById(tx.db, importId);
          if (!fresh || fresh.status !== 'committing') return false; // another run finished it
          const now = clock.now();
          const summary = await this.kind.apply(tx, { ...ctx, run: fresh, prepared, actor, now });
          const moved = await this.runs.setStatus(tx.db, importId, ['committing'], 'committed', {
            summary,
            committedAt: now,
            fileError: null,
          });
          if (!moved) throw new Error('The import changed status while it was being applied');
          return true;
        });
      });
      if (committed) await this.removeFile(run);
    } catch (error) {
      const failure = error instanceof ImportFailure ? error : null;
      const to: ImportStatus = failure && !failure.retry ? 'rejected' : 'failed';
      await this.runs.setStatus(this.db, importId, ['committing'], to, {
        fileError: failure?.message ?? this.kind.messages.failed,
      });
      if (to === 'rejected') await this.removeFile(run);
      if (!failure) throw error;
    }
    return this.runs.getById(this.db, importId);
  }

  async get(schoolId: string, importId: string): Promise<ImportRun> {
    const run = await this.runs.get(this.db, schoolId, importId);
    if (!run) throw new NotFoundError();
    return run;
  }

  async listRecent(schoolId: string, limit = 20): Promise<ImportRun[]> {
    return this.runs.listRecent(this.db, schoolId, limit);
  }

  /** Names kept on these imports for former staff (see ImportRunRepository.keptNames). */
  keptNames(schoolId: string, ids: readonly string[]): Promise<ImportKeptNames[]> {
    return this.runs.keptNames(this.db, schoolId, ids);
  }

  /**
   * Queues again the work a crash interrupted. `everything` (when a worker starts): every import
   * still checking or saving, as the jobs of a process that has just restarted are gone. Otherwise
   * (the minutely resume job, for a worker that died while others live on) only imports whose job
   * started and has shown no sign of life for {@link STALE_AFTER_MS}. Both jobs are safe to run
   * twice, so queueing one that is in fact alive elsewhere only makes it find nothing to do. An
   * import lost {@link MAX_ATTEMPTS} times fails cleanly (Try again, or upload again). Also
   * removes stored files no import needs any more.
   */
  async resumeInterrupted(
    options: { everything?: boolean } = {},
  ): Promise<{ previews: number; commits: number; failed: number }> {
    const { clock, jobs } = this.deps;
    const now = clock.now();
    let previews = 0;
    let commits = 0;
    let failed = 0;
    for (const run of await this.runs.listActive(this.db)) {
      const started = run.heartbeatAt !== null;
      const stale = started && now.getTime() - run.heartbeatAt!.getTime() > STALE_AFTER_MS;
      if (!options.everything && !stale) continue;
      if (started && run.attempts >= MAX_ATTEMPTS) {
        failed++;
        if (run.status === 'committing') {
          await this.runs.setStatus(this.db, run.id, ['committing'], 'failed', {
            fileError: this.kind.messages.failed,
          });
        } else {
          await this.runs.setStatus(this.db, run.id, ['uploaded', 'previewing'], 'rejected', {
            fileError:
              'The file could not be checked: the check stopped several times. Upload it again, ' +
              'or split it into smaller files.',
          });
          await this.removeFile(run);
        }
        continue;
      }
      // Counted only once a job had started on it: a job still waiting in the queue is not lost.
      await this.runs.setStatus(this.db, run.id, [run.status], run.status, {
        attempts: started ? run.attempts + 1 : run.attempts,
        heartbeatAt: started ? now : null,
      });
      if (run.status === 'committing') {
        await jobs.apply(run.id, run.confirmedBy);
        commits++;
      } else {
        await jobs.preview(run.id);
        previews++;
      }
    }
    await this.sweepFiles(now);
    return { previews, commits, failed };
  }

  /** Removes this kind's stored files that no import needs (applied, rejected, or never recorded). */
  private async sweepFiles(now: Date): Promise<number> {
    const prefix = `${this.kind.name}-`;
    const found: { key: string; id: string }[] = [];
    for await (const file of this.deps.files.list('imports')) {
      const name = file.key.split('/').at(-1) ?? '';
      if (!name.startsWith(prefix) || !name.endsWith('.csv')) continue;
      if (now.getTime() - file.modifiedAt.getTime() < ORPHAN_AFTER_MS) continue;
      found.push({ key: file.key, id: name.slice(prefix.length, -'.csv'.length) });
    }
    const uuid = /^[0-9a-f-]{36}$/;
    const statuses = await this.runs.statuses(
      this.db,
      found.map((f) => f.id).filter((id) => uuid.test(id)),
    );
    let removed = 0;
    for (const f of found) {
      const status = statuses.get(f.id);
      if (status && FILE_NEEDED.includes(status)) continue;
      await this.deps.files.delete(f.key);
      removed++;
    }
    return removed;
  }
}

/** Line feeds in a buffer: an estimate of the rows before the file is parsed. */
export function countLines(data: Buffer): number {
  let n = 0;
  let i = data.indexOf(0x0a);
  while (i !== -1) {
    n++;
    i = data.indexOf(0x0a, i + 1);
  }
  return n;
}
