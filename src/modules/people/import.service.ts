import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { displayFilename } from '../../platform/files/display-filename.ts';
import path from 'node:path';
import type { Database, Db, Tx } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { JobRegistry as JobPayloads } from '../registry.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import { systemActor, type Actor, type AuditService } from '../audit/audit.service.ts';
import type { HeaderMapping } from './mis-import/mis-columns.ts';
import {
  MAX_FILE_BYTES,
  SNIFF_BYTES,
  parseMisFile,
  sniffFile,
  type MisParseResult,
  type ContactImportRow,
  type MisParseStats,
  type PupilImportRow,
  type RowError,
} from './mis-import/mis-parse.ts';
import type {
  ExistingLink,
  ExistingParent,
  ExistingPupil,
  ImportRepository,
  ImportStatus,
  LinkWrite,
  ParentWrite,
  PupilImportRecord,
  PupilWrite,
} from './import.repository.ts';

export type { ImportStatus };

// ---------------------------------------------------------------------------------------------
// Types stored in pupil_imports.preview / .summary

export interface ImportCounts {
  /** Pupils in the file (rows without problems). */
  rows: number;
  newPupils: number;
  updatedPupils: number;
  unchangedPupils: number;
  /** Pupils flagged as possibly left by an earlier import who are back in this file. */
  reappearedPupils: number;
  /**
   * On roll in Lanyard, missing from the file and not flagged yet: what a whole roll would flag.
   * Absent from imports recorded before the question was asked (read it as `possiblyLeft`).
   */
  notInFile?: number;
  /** Flagged as possibly left (never deleted): `notInFile` for a whole roll, else 0. */
  possiblyLeft: number;
  /** Missing from the file and already flagged by an earlier import. */
  alreadyPossiblyLeft: number;
  newParents: number;
  updatedParents: number;
  newLinks: number;
  updatedLinks: number;
  removedLinks: number;
}

export interface FieldChange {
  field: string;
  from: string | null;
  to: string | null;
}

export interface PupilChange {
  line: number | null;
  misId: string;
  name: string;
  changes?: FieldChange[];
}

/** How many examples of each kind of change a preview keeps. */
export const SAMPLE_LIMIT = 200;

export interface ImportPreview {
  canCommit: boolean;
  stats: MisParseStats;
  fileFormat: {
    encoding: string;
    pupilIdLabel: string;
    pupilIdColumn: string;
    unknownColumns: string[];
    contactSlots: number[];
  };
  errors: RowError[];
  errorsTruncated: boolean;
  errorLimitMessage: string | null;
  /** Null when the file has row errors (nothing is compared until it is clean). */
  counts: ImportCounts | null;
  samples: {
    newPupils: PupilChange[];
    updatedPupils: PupilChange[];
    reappearedPupils: PupilChange[];
    possiblyLeft: PupilChange[];
  };
}

export interface ImportSummary {
  counts: ImportCounts;
  durationMs: number;
  /** The confirmer said the file was the whole roll (absent from older imports: they were). */
  wholeRoll?: boolean;
}

/** An import as pages and the CLI show it. */
export type ImportView = Omit<PupilImportRecord, 'status' | 'preview' | 'summary'> & {
  status: ImportStatus;
  preview: ImportPreview | null;
  summary: ImportSummary | null;
};

export type ImportPhase = 'checking' | 'comparing' | 'saving';
export type ProgressListener = (phase: ImportPhase, done: number, total: number) => void;

export function toImportView(record: PupilImportRecord): ImportView {
  return {
    ...record,
    status: record.status as ImportStatus,
    preview: (record.preview as ImportPreview | null) ?? null,
    summary: (record.summary as ImportSummary | null) ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// The plan: what applying a file to the current data would change (pure)

/** Columns present in the file. An optional column that is absent leaves the stored value alone. */
export interface ManagedColumns {
  className: boolean;
  admissionDate: boolean;
  leavingDate: boolean;
  email: boolean;
  /** The file has contact columns at all: links not listed for a pupil are removed. */
  contacts: boolean;
  contactEmail: boolean;
  contactPhone: boolean;
  contactRelationship: boolean;
  contactParentalResponsibility: boolean;
}

export function managedColumns(
  mapping: HeaderMapping,
  contactSlots: readonly number[],
): ManagedColumns {
  const has = (key: keyof HeaderMapping) => (mapping[key]?.length ?? 0) > 0;
  const anySlot = (field: string) =>
    contactSlots.some((slot) => has(`parent_${slot}_${field}` as keyof HeaderMapping));
  return {
    className: has('class'),
    admissionDate: has('admission_date'),
    leavingDate: has('leaving_date'),
    email: has('email'),
    contacts: contactSlots.length > 0,
    contactEmail: anySlot('email'),
    contactPhone: anySlot('phone'),
    contactRelationship: anySlot('relationship'),
    contactParentalResponsibility: anySlot('parental_responsibility'),
  };
}

export interface ExistingData {
  pupils: ExistingPupil[];
  parents: ExistingParent[];
  links: ExistingLink[];
}

export interface ImportPlan {
  counts: ImportCounts;
  /** New pupils, changed pupils and pupils coming back (in file order). */
  pupilWrites: PupilWrite[];
  newParents: ParentWrite[];
  updatedParents: ParentWrite[];
  /** New links and links whose relationship or parental responsibility changed. */
  linkWrites: LinkWrite[];
  linkRemovals: { pupilId: string; parentId: string }[];
  possiblyLeftIds: string[];
  samples: ImportPreview['samples'];
}

const PUPIL_FIELDS = [
  ['givenName', 'First name'],
  ['familyName', 'Surname'],
  ['dateOfBirth', 'Date of birth'],
  ['yearGroup', 'Year group'],
  ['className', 'Class'],
  ['admissionDate', 'Admission date'],
  ['leavingDate', 'Leaving date'],
  ['email', 'Email'],
] as const satisfies readonly (readonly [keyof PupilWrite, string])[];

const DATE_FIELDS = new Set<keyof PupilWrite>(['dateOfBirth', 'admissionDate', 'leavingDate']);

function displayValue(field: keyof PupilWrite, value: string | null): string | null {
  if (value === null || value === '') return null;
  if (DATE_FIELDS.has(field) && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return `${value.slice(8, 10)}/${value.slice(5, 7)}/${value.slice(0, 4)}`;
  }
  if (field === 'yearGroup') {
    if (value === 'R') return 'Reception';
    if (value === 'N1' || value === 'N2') return `Nursery ${value.slice(1)}`;
    return `Year ${value}`;
  }
  return value;
}

const lower = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/**
 * Compares the rows of a clean file with the school's current pupils, parents and links and says
 * exactly what applying the file would write. Pure: the same input gives the same plan (new ids
 * come from `newId`). Applying a plan and planning again gives an empty plan.
 *
 * Matching: pupils on the MIS id (UPN, admission number…). Contacts on their MIS id when the file
 * has one; otherwise on email and name together (so two parents sharing a family email stay two
 * people), then on email alone when that is unambiguous (a changed surname), then on name among
 * the pupil's linked contacts. A contact with an MIS id may adopt an existing record without one,
 * so switching to an export with contact ids does not duplicate parents.
 */
export function planImport(input: {
  rows: readonly PupilImportRow[];
  managed: ManagedColumns;
  existing: ExistingData;
  today: string;
  newId: () => string;
  /**
   * The file lists every pupil on roll: pupils missing from it are flagged as possibly left. A
   * partial list (false) flags nobody; `notInFile` still says how many a whole roll would flag.
   */
  wholeRoll: boolean;
}): ImportPlan {
  const { rows, managed, existing, today, newId, wholeRoll } = input;
  const counts: ImportCounts = {
    rows: rows.length,
    newPupils: 0,
    updatedPupils: 0,
    unchangedPupils: 0,
    reappearedPupils: 0,
    notInFile: 0,
    possiblyLeft: 0,
    alreadyPossiblyLeft: 0,
    newParents: 0,
    updatedParents: 0,
    newLinks: 0,
    updatedLinks: 0,
    removedLinks: 0,
  };
  const samples: ImportPlan['samples'] = {
    newPupils: [],
    updatedPupils: [],
    reappearedPupils: [],
    possiblyLeft: [],
  };
  const sample = (list: PupilChange[], change: PupilChange) => {
    if (list.length < SAMPLE_LIMIT) list.push(change);
  };

  // Pupils
  const pupilByMis = new Map(existing.pupils.map((p) => [p.misId, p]));
  const pupilWrites: PupilWrite[] = [];
  const pupilIdByMis = new Map<string, string>();
  for (const row of rows) {
    const old = pupilByMis.get(row.misId);
    const target: PupilWrite = {
      id: old?.id ?? newId(),
      misId: row.misId,
      givenName: row.givenName,
      familyName: row.familyName,
      dateOfBirth: row.dateOfBirth,
      yearGroup: row.yearGroup,
      className: managed.className ? row.className : (old?.className ?? null),
      admissionDate: managed.admissionDate ? row.admissionDate : (old?.admissionDate ?? null),
      leavingDate: managed.leavingDate ? row.leavingDate : (old?.leavingDate ?? null),
      email: managed.email ? row.email : (old?.email ?? null),
    };
    pupilIdByMis.set(row.misId, target.id);
    const name = `${row.givenName} ${row.familyName}`;
    if (!old) {
      counts.newPupils++;
      pupilWrites.push(target);
      sample(samples.newPupils, { line: row.line, misId: row.misId, name });
      continue;
    }
    const changes: FieldChange[] = [];
    for (const [field, label] of PUPIL_FIELDS) {
      if ((old[field] ?? null) !== (target[field] ?? null)) {
        changes.push({
          field: label,
          from: displayValue(field, old[field]),
          to: displayValue(field, target[field]),
        });
      }
    }
    const reappeared = old.possiblyLeftAt !== null;
    if (changes.length > 0) {
      counts.updatedPupils++;
      sample(samples.updatedPupils, { line: row.line, misId: row.misId, name, changes });
    }
    if (reappeared) {
      counts.reappearedPupils++;
      sample(samples.reappearedPupils, { line: row.line, misId: row.misId, name });
    }
    if (changes.length > 0 || reappeared) pupilWrites.push(target);
    else counts.unchangedPupils++;
  }

  // Pupils on roll that a whole-roll file no longer lists: flagged, never deleted.
  const possiblyLeftIds: string[] = [];
  for (const p of existing.pupils) {
    if (pupilIdByMis.has(p.misId)) continue;
    if (p.leavingDate !== null && p.leavingDate <= today) continue; // already left
    if (p.possiblyLeftAt !== null) {
      counts.alreadyPossiblyLeft++;
      continue;
    }
    counts.notInFile!++;
    // The sample lists the pupils not in the file (flagged only for a whole roll).
    sample(samples.possiblyLeft, {
      line: null,
      misId: p.misId,
      name: `${p.givenName} ${p.familyName}`,
    });
    if (!wholeRoll) continue;
    counts.possiblyLeft++;
    possiblyLeftIds.push(p.id);
  }

  // Parents and links
  const parentByMis = new Map<string, ExistingParent>();
  const parentsByEmail = new Map<string, ExistingParent[]>();
  const parentById = new Map<string, ExistingParent>();
  for (const p of existing.parents) {
    parentById.set(p.id, p);
    if (p.misId) parentByMis.set(p.misId, p);
    if (p.email) {
      const key = lower(p.email);
      const list = parentsByEmail.get(key);
      if (list) list.push(p);
      else parentsByEmail.set(key, [p]);
    }
  }
  const linksByPupil = new Map<string, ExistingLink[]>();
  for (const l of existing.links) {
    const list = linksByPupil.get(l.pupilId);
    if (list) list.push(l);
    else linksByPupil.set(l.pupilId, [l]);
  }

  const claimed = new Set<string>();
  const parentIdByKey = new Map<string, string>();
  const newParents: ParentWrite[] = [];
  const updatedParents: ParentWrite[] = [];
  const linkWrites: LinkWrite[] = [];
  const linkRemovals: { pupilId: string; parentId: string }[] = [];

  // What the file says about contacts, so that matching one contact never takes the record
  // another contact in the file will ask for.
  const personKey = (email: string | null, givenName: string, familyName: string) =>
    `${lower(email)}|${lower(givenName)}|${lower(familyName)}`;
  const fileContactIds = new Set<string>();
  const filePeople = new Set<string>();
  for (const row of rows) {
    for (const c of row.contacts) {
      if (c.misId) fileContactIds.add(c.misId);
      if (c.email) filePeople.add(personKey(c.email, c.givenName, c.familyName));
    }
  }
  const sameName = (p: ExistingParent, c: ContactImportRow) =>
    lower(p.givenName) === lower(c.givenName) && lower(p.familyName) === lower(c.familyName);

  const findExisting = (
    contact: ContactImportRow,
    pupilId: string | undefined,
  ): ExistingParent | undefined => {
    if (contact.misId) {
      const byId = parentByMis.get(contact.misId);
      if (byId && !claimed.has(byId.id)) return byId;
    }
    // Otherwise adopt a record only if nobody else in the file has a claim to it: a contact with
    // an id adopts records without one; a contact without an id leaves records whose id is in
    // the file to that contact.
    const eligible = (p: ExistingParent) =>
      !claimed.has(p.id) && (contact.misId ? !p.misId : !p.misId || !fileContactIds.has(p.misId));
    if (contact.email) {
      const candidates = (parentsByEmail.get(lower(contact.email)) ?? []).filter(eligible);
      const exact = candidates.find((p) => sameName(p, contact));
      if (exact) return exact;
      // Same email, different name (e.g. a changed surname): only when it is unambiguous, and
      // never a record that matches another contact in the file exactly (a shared family email).
      const others = candidates.filter(
        (p) => !filePeople.has(personKey(p.email, p.givenName, p.familyName)),
      );
      if (others.length === 1) return others[0];
    }
    if (pupilId) {
      for (const link of linksByPupil.get(pupilId) ?? []) {
        const p = parentById.get(link.parentId);
        if (p && eligible(p) && sameName(p, contact)) return p;
      }
    }
    return undefined;
  };

  for (const row of rows) {
    const pupilId = pupilIdByMis.get(row.misId)!;
    const existingPupil = pupilByMis.get(row.misId);
    const oldLinks = new Map((linksByPupil.get(pupilId) ?? []).map((l) => [l.parentId, l]));
    const wanted = new Set<string>();
    for (const contact of row.contacts) {
      // The same person on several rows (siblings) is one parent: by id, else by email and name;
      // without either, a contact is only known within its own pupil's row.
      const key = contact.misId
        ? `id:${contact.misId}`
        : contact.email
          ? `person:${personKey(contact.email, contact.givenName, contact.familyName)}`
          : `name:${lower(contact.givenName)}|${lower(contact.familyName)}|${row.misId}`;
      let parentId = parentIdByKey.get(key);
      if (!parentId) {
        const match = findExisting(contact, existingPupil?.id);
        if (match) {
          claimed.add(match.id);
          const target: ParentWrite = {
            id: match.id,
            misId: contact.misId ?? match.misId,
            givenName: contact.givenName,
            familyName: contact.familyName,
            email: managed.contactEmail ? contact.email : match.email,
            phone: managed.contactPhone ? contact.phone : match.phone,
          };
          if (
            target.misId !== match.misId ||
            target.givenName !== match.givenName ||
            target.familyName !== match.familyName ||
            target.email !== match.email ||
            target.phone !== match.phone
          ) {
            counts.updatedParents++;
            updatedParents.push(target);
          }
          parentId = match.id;
        } else {
          parentId = newId();
          counts.newParents++;
          newParents.push({
            id: parentId,
            misId: contact.misId,
            givenName: contact.givenName,
            familyName: contact.familyName,
            email: contact.email,
            phone: contact.phone,
          });
        }
        parentIdByKey.set(key, parentId);
      }
      if (wanted.has(parentId)) continue; // the same contact twice on one row
      wanted.add(parentId);
      const old = oldLinks.get(parentId);
      const link: LinkWrite = {
        pupilId,
        parentId,
        relationship: managed.contactRelationship
          ? contact.relationship
          : (old?.relationship ?? null),
        parentalResponsibility: managed.contactParentalResponsibility
          ? contact.parentalResponsibility
          : (old?.parentalResponsibility ?? false),
      };
      if (!old) {
        counts.newLinks++;
        linkWrites.push(link);
      } else if (
        old.relationship !== link.relationship ||
        old.parentalResponsibility !== link.parentalResponsibility
      ) {
        counts.updatedLinks++;
        linkWrites.push(link);
      }
    }
    if (managed.contacts) {
      for (const parentId of oldLinks.keys()) {
        if (!wanted.has(parentId)) {
          counts.removedLinks++;
          linkRemovals.push({ pupilId, parentId });
        }
      }
    }
  }

  return {
    counts,
    pupilWrites,
    newParents,
    updatedParents,
    linkWrites,
    linkRemovals,
    possiblyLeftIds,
    samples,
  };
}

/** Total number of writes a plan makes (the unit of commit progress). */
export function planSize(plan: ImportPlan): number {
  return (
    plan.pupilWrites.length +
    plan.newParents.length +
    plan.updatedParents.length +
    plan.linkRemovals.length +
    plan.linkWrites.length +
    plan.possiblyLeftIds.length
  );
}

// ---------------------------------------------------------------------------------------------

/** A failure with a message that can be shown to school staff as it is. */
class ImportFailure extends Error {}

/** The upload's temporary file is still being moved into place: the job should retry. */
class FileNotReadyError extends Error {}

const FAILED_MESSAGE =
  'Something went wrong while saving the import, so nothing was changed. Try again. If it ' +
  'keeps happening, contact your Lanyard administrator.';

function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Line feeds in a buffer: an estimate of the rows before the file is parsed. */
function countLines(data: Buffer): number {
  let n = 0;
  let i = data.indexOf(0x0a);
  while (i !== -1) {
    n++;
    i = data.indexOf(0x0a, i + 1);
  }
  return n;
}

const CHUNK_PUPILS = 500;
const CHUNK_OTHER = 1000;

type ImportJobs = Pick<JobQueue<JobPayloads>, 'enqueue'>;

/**
 * Imports pupils and their contacts from an MIS export: upload (file checked and stored), preview
 * (a job: parse, row errors, what would change), confirm, commit (a job: one transaction, all or
 * nothing, safe to run twice). The CLI goes through the same methods without the queue.
 */
export class ImportService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: ImportRepository;
      audit: AuditService;
      clock: Clock;
      jobs: ImportJobs;
      filesDir: string;
    },
  ) {}

  private get db(): Db {
    return this.deps.database.db;
  }

  private filePath(importId: string): string {
    return path.join(this.deps.filesDir, `${importId}.csv`);
  }

  private tempPath(importId: string): string {
    return path.join(this.deps.filesDir, `${importId}.csv.tmp`);
  }

  private async readStoredFile(importId: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(this.filePath(importId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  private async removeStoredFile(importId: string): Promise<void> {
    await fs.rm(this.filePath(importId), { force: true });
  }

  /**
   * Records an uploaded file. A file that is clearly not a CSV (binary, wrong encoding, too big)
   * is recorded as rejected with its message and nothing else happens; otherwise the file is
   * stored and the preview job is queued in the same transaction as the row.
   */
  async upload(
    schoolId: string,
    actor: Actor,
    file: { filename: string; data: Buffer },
    options: { queue?: boolean } = {},
  ): Promise<string> {
    const { database, repository, audit, clock, jobs, filesDir } = this.deps;
    const data = file.data;
    if (data.length === 0) throw new ValidationError({ file: 'The selected file is empty' });
    const id = crypto.randomUUID();
    let fileError: string | null = null;
    const sniff = sniffFile(data.subarray(0, SNIFF_BYTES));
    if (!sniff.ok) fileError = sniff.fileError.message;
    else if (data.length > MAX_FILE_BYTES) {
      // parseMisFile refuses an over-size file straight after the sniff, with its own message.
      const refused = parseMisFile(data);
      fileError = refused.ok ? null : refused.fileError.message;
    }
    const status: ImportStatus = fileError ? 'rejected' : 'uploaded';

    let temp: string | null = null;
    if (!fileError) {
      await fs.mkdir(filesDir, { recursive: true });
      temp = this.tempPath(id);
      await fs.writeFile(temp, data, { mode: 0o600 });
    }
    try {
      await database.transaction(async (tx) => {
        await repository.create(tx.db, {
          id,
          schoolId,
          filename: displayFilename(file.filename, 'pupils.csv'),
          sha256: sha256(data),
          sizeBytes: data.length,
          status,
          fileError,
          createdBy: actor.kind === 'staff' ? actor.id : null,
          createdAt: clock.now(),
        });
        if (!fileError && options.queue !== false) {
          await jobs.enqueue('people.import-preview', { importId: id }, { tx });
        }
        await audit.record(tx, {
          schoolId,
          actor,
          action: 'people.import-uploaded',
          entityType: 'pupil_import',
          entityId: id,
          data: { sizeBytes: data.length, status },
        });
      });
    } catch (error) {
      if (temp) await fs.rm(temp, { force: true });
      throw error;
    }
    if (temp) {
      try {
        await fs.rename(temp, this.filePath(id));
      } catch (error) {
        await fs.rm(temp, { force: true });
        await repository.setStatus(this.db, id, ['uploaded', 'previewing'], 'rejected', {
          fileError: 'The file could not be stored. Upload it again.',
        });
        throw error;
      }
    }
    return id;
  }

  /**
   * The preview job: parses the stored file, lists row errors, and compares the rows with the
   * school's data. Writes only the import row, so running it twice is harmless.
   */
  async preview(
    importId: string,
    hooks: { onProgress?: ProgressListener } = {},
  ): Promise<ImportView | undefined> {
    const { repository, clock } = this.deps;
    const record = await repository.getById(this.db, importId);
    if (!record) return undefined;
    if (record.status !== 'uploaded' && record.status !== 'previewing') return toImportView(record);
    const active: ImportStatus[] = ['uploaded', 'previewing'];

    const data = await this.readStoredFile(importId);
    if (!data) {
      const stillMoving = await fs
        .stat(this.tempPath(importId))
        .then(() => true)
        .catch(() => false);
      if (stillMoving) throw new FileNotReadyError('The uploaded file is not in place yet');
      await repository.setStatus(this.db, importId, active, 'rejected', {
        fileError: 'The uploaded file could not be found. Upload it again.',
      });
      return this.reload(importId);
    }
    const estimate = Math.max(0, countLines(data) - 1);
    await repository.setStatus(this.db, importId, active, 'previewing', {
      progressDone: 0,
      progressTotal: estimate,
    });
    const onProgress = hooks.onProgress;
    // The parse is synchronous: progress goes to the listener (the CLI's bar) as it happens and
    // to the import row before and after it.
    const parsed = parseMisFile(data, {
      today: clock.now(),
      ...(onProgress
        ? { onProgress: (done: number, total: number) => onProgress('checking', done, total) }
        : {}),
    });
    if (!parsed.ok) {
      await repository.setStatus(this.db, importId, active, 'rejected', {
        fileError: parsed.fileError.message,
        progressDone: 0,
        progressTotal: 0,
      });
      await this.removeStoredFile(importId);
      return this.reload(importId);
    }
    const total = parsed.stats.totalRows;
    await repository.updateProgress(this.db, importId, total, total);

    if (parsed.stats.totalErrors > 0) {
      await repository.setStatus(this.db, importId, active, 'rejected', {
        preview: this.buildPreview(parsed, null),
        progressDone: total,
        progressTotal: total,
      });
      await this.removeStoredFile(importId);
      return this.reload(importId);
    }

    onProgress?.('comparing', 0, 1);
    const existing = await this.loadExisting(this.db, record.schoolId);
    // The preview flags nobody: it says how many pupils are not in the file, and the person who
    // confirms says whether the file is the whole roll.
    const plan = planImport({
      rows: parsed.rows,
      managed: managedColumns(parsed.headerReport.mapping, parsed.headerReport.contactSlots),
      existing,
      today: ukDate(clock.now()),
      newId: () => crypto.randomUUID(),
      wholeRoll: false,
    });
    onProgress?.('comparing', 1, 1);
    await repository.setStatus(this.db, importId, active, 'previewed', {
      preview: this.buildPreview(parsed, plan),
      progressDone: total,
      progressTotal: total,
    });
    return this.reload(importId);
  }

  private buildPreview(
    parsed: MisParseResult & { ok: true },
    plan: ImportPlan | null,
  ): ImportPreview {
    const h = parsed.headerReport;
    return {
      canCommit: plan !== null && parsed.stats.totalErrors === 0,
      stats: parsed.stats,
      fileFormat: {
        encoding: h.encoding,
        pupilIdLabel: h.pupilIdColumn.label,
        pupilIdColumn: h.pupilIdColumn.header,
        unknownColumns: h.unknown,
        contactSlots: [...h.contactSlots],
      },
      errors: parsed.errors,
      errorsTruncated: parsed.errorsTruncated,
      errorLimitMessage: parsed.errorLimitMessage,
      counts: plan?.counts ?? null,
      samples: plan?.samples ?? {
        newPupils: [],
        updatedPupils: [],
        reappearedPupils: [],
        possiblyLeft: [],
      },
    };
  }

  private async loadExisting(db: Db, schoolId: string): Promise<ExistingData> {
    const { repository } = this.deps;
    // One after the other: inside a transaction they share one connection.
    const pupils = await repository.loadPupils(db, schoolId);
    const parents = await repository.loadParents(db, schoolId);
    const links = await repository.loadLinks(db, schoolId);
    return { pupils, parents, links };
  }

  private async reload(importId: string): Promise<ImportView | undefined> {
    const record = await this.deps.repository.getById(this.db, importId);
    return record ? toImportView(record) : undefined;
  }

  /**
   * Confirms a clean preview: status committing and the commit job, in one transaction.
   * `wholeRoll` is the confirmer's answer to "does this file list every pupil on roll?": only a
   * whole roll marks the pupils missing from it as possibly left.
   */
  async requestCommit(
    schoolId: string,
    actor: Actor,
    importId: string,
    options: { wholeRoll: boolean; queue?: boolean },
  ): Promise<void> {
    const { database, repository, audit, jobs } = this.deps;
    await database.transaction(async (tx) => {
      const record = await repository.get(tx.db, schoolId, importId);
      if (!record) throw new NotFoundError();
      if (record.status === 'committing' || record.status === 'committed') return; // pressed twice
      const preview = record.preview as ImportPreview | null;
      if ((record.status !== 'previewed' && record.status !== 'failed') || !preview?.canCommit) {
        throw new ConflictError(
          'This file cannot be imported because it has problems. Correct them and upload the file again.',
        );
      }
      if (await repository.overtaken(tx.db, schoolId, importId, record.createdAt)) {
        throw new ConflictError(
          'A file uploaded later has already been imported, so this one would undo its changes. ' +
            'Export the pupil list from your MIS again and upload the new file.',
        );
      }
      const moved = await repository.setStatus(
        tx.db,
        importId,
        ['previewed', 'failed'],
        'committing',
        {
          fileError: null,
          progressDone: 0,
          progressTotal: 0,
          wholeRoll: options.wholeRoll,
          confirmedBy: actor.kind === 'staff' ? actor.id : null,
        },
      );
      if (!moved) return;
      if (options.queue !== false) {
        await jobs.enqueue(
          'people.import-commit',
          { importId, actorId: actor.kind === 'staff' ? actor.id : null },
          { tx },
        );
      }
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'people.import-confirmed',
        entityType: 'pupil_import',
        entityId: importId,
        data: { wholeRoll: options.wholeRoll },
      });
    });
  }

  /** The commit job. Safe to run twice: only an import in `committing` is applied, once. */
  async commit(importId: string, actorId: string | null): Promise<ImportView | undefined> {
    return this.commitAs(importId, actorId ? { kind: 'staff', id: actorId } : systemActor);
  }

  /**
   * Applies the file in ONE transaction, recomputing the plan against the data as it is now. On
   * any error nothing is applied and the import is marked failed (and unexpected errors are
   * rethrown for the job log).
   */
  private async commitAs(
    importId: string,
    actor: Actor,
    hooks: { onProgress?: ProgressListener } = {},
  ): Promise<ImportView | undefined> {
    const { database, repository, audit, clock } = this.deps;
    const record = await repository.getById(this.db, importId);
    if (!record) return undefined;
    if (record.status !== 'committing') return toImportView(record);
    const started = Date.now();
    const onProgress = hooks.onProgress;
    try {
      const data = await this.readStoredFile(importId);
      if (!data)
        throw new ImportFailure('The uploaded file is no longer available. Upload it again.');
      if (sha256(data) !== record.sha256) {
        throw new ImportFailure(
          'The stored file has changed since it was checked. Upload it again.',
        );
      }
      const parsed = parseMisFile(data, {
        today: clock.now(),
        ...(onProgress
          ? { onProgress: (d: number, t: number) => onProgress('checking', d, t) }
          : {}),
      });
      if (!parsed.ok || parsed.stats.totalErrors > 0) {
        throw new ImportFailure(
          'The file no longer passes the checks (dates are checked against today). Upload it again to see why.',
        );
      }
      const committed = await database.transaction(async (tx) => {
        await repository.lockSchool(tx.db, record.schoolId);
        const fresh = await repository.getById(tx.db, importId);
        if (!fresh || fresh.status !== 'committing') return false; // another run finished it
        const now = clock.now();
        const existing = await this.loadExisting(tx.db, record.schoolId);
        const plan = planImport({
          rows: parsed.rows,
          managed: managedColumns(parsed.headerReport.mapping, parsed.headerReport.contactSlots),
          existing,
          today: ukDate(now),
          newId: () => crypto.randomUUID(),
          wholeRoll: fresh.wholeRoll === true,
        });
        await this.apply(tx, record.schoolId, importId, plan, now, onProgress);
        const total = planSize(plan);
        const summary: ImportSummary = {
          counts: plan.counts,
          durationMs: Date.now() - started,
          wholeRoll: fresh.wholeRoll === true,
        };
        await audit.record(tx, {
          schoolId: record.schoolId,
          actor,
          action: 'people.imported',
          entityType: 'pupil_import',
          entityId: importId,
          data: { ...plan.counts },
        });
        const moved = await repository.setStatus(tx.db, importId, ['committing'], 'committed', {
          summary,
          committedAt: now,
          fileError: null,
          progressDone: total,
          progressTotal: total,
        });
        if (!moved) throw new Error('The import changed status while it was being committed');
        return true;
      });
      if (committed) await this.removeStoredFile(importId);
    } catch (error) {
      const message = error instanceof ImportFailure ? error.message : FAILED_MESSAGE;
      await repository.setStatus(this.db, importId, ['committing'], 'failed', {
        fileError: message,
      });
      if (!(error instanceof ImportFailure)) throw error;
    }
    return this.reload(importId);
  }

  /** Writes a plan in batches inside the commit's transaction; progress goes to the import row. */
  private async apply(
    tx: Tx,
    schoolId: string,
    importId: string,
    plan: ImportPlan,
    now: Date,
    onProgress: ProgressListener | undefined,
  ): Promise<void> {
    const { repository } = this.deps;
    const total = planSize(plan);
    let done = 0;
    let written = -1;
    const every = Math.max(1, Math.ceil(total / 50)); // about every 2%
    const progress = async () => {
      onProgress?.('saving', done, total);
      if (done === total || done - written >= every) {
        written = done;
        // Outside the transaction (the pool), so the progress page sees it while we work.
        await repository.updateProgress(this.db, importId, done, total);
      }
    };
    const batches = async <T>(
      items: readonly T[],
      size: number,
      write: (batch: T[]) => Promise<unknown>,
    ) => {
      for (let i = 0; i < items.length; i += size) {
        const batch = items.slice(i, i + size);
        await write(batch);
        done += batch.length;
        await progress();
      }
    };
    await progress();
    let inserted = 0;
    await batches(plan.pupilWrites, CHUNK_PUPILS, async (batch) => {
      const result = await repository.upsertPupils(tx.db, schoolId, batch, now);
      inserted += result.inserted;
    });
    if (inserted !== plan.counts.newPupils) {
      throw new Error(`Expected ${plan.counts.newPupils} new pupils, inserted ${inserted}`);
    }
    await batches(plan.newParents, CHUNK_OTHER, (b) =>
      repository.insertParents(tx.db, schoolId, b, now),
    );
    await batches(plan.updatedParents, CHUNK_OTHER, (b) =>
      repository.updateParents(tx.db, schoolId, b, now),
    );
    await batches(plan.linkRemovals, CHUNK_OTHER, (b) =>
      repository.removeLinks(tx.db, schoolId, b),
    );
    await batches(plan.linkWrites, CHUNK_OTHER, (b) => repository.upsertLinks(tx.db, schoolId, b));
    await batches(plan.possiblyLeftIds, CHUNK_OTHER, (b) =>
      repository.markPossiblyLeft(tx.db, schoolId, b, now),
    );
  }

  /**
   * Run when workers start: imports a killed process left checking or saving get their job again
   * at once, instead of waiting for the old job to expire (15 minutes). Both jobs are safe to run
   * twice (a commit applies only an import still `committing`, under the school's lock), so a job
   * that is in fact alive in another worker only makes the new one find nothing to do. An upload
   * whose row committed but whose file was not yet moved into place is moved now.
   */
  async resumeInterrupted(): Promise<{ previews: number; commits: number }> {
    const { repository, jobs } = this.deps;
    let previews = 0;
    let commits = 0;
    for (const imp of await repository.listUnfinished(this.db)) {
      if (imp.status === 'committing') {
        await jobs.enqueue('people.import-commit', {
          importId: imp.id,
          actorId: imp.confirmedBy,
        });
        commits++;
        continue;
      }
      // A file still under its temporary name a minute after its row committed was left there by
      // a crash (a live upload moves it straight after the commit): move it into place.
      const stale = this.deps.clock.now().getTime() - imp.createdAt.getTime() > 60_000;
      const inPlace = await fs.stat(this.filePath(imp.id)).then(
        () => true,
        () => false,
      );
      if (stale && !inPlace) {
        await fs.rename(this.tempPath(imp.id), this.filePath(imp.id)).catch(() => undefined);
      }
      await jobs.enqueue('people.import-preview', { importId: imp.id });
      previews++;
    }
    return { previews, commits };
  }

  async get(schoolId: string, importId: string): Promise<ImportView> {
    const record = await this.deps.repository.get(this.db, schoolId, importId);
    if (!record) throw new NotFoundError();
    return toImportView(record);
  }

  async listRecent(schoolId: string, limit = 20): Promise<ImportView[]> {
    const rows = await this.deps.repository.listRecent(this.db, schoolId, limit);
    return rows.map(toImportView);
  }

  /**
   * `lanyard import pupils`: upload → preview → (with confirm) commit, through the same methods as
   * the web and the jobs but run here and now instead of on the queue.
   */
  async runFromCli(
    schoolId: string,
    filePath: string,
    options: { onProgress?: ProgressListener; confirm: boolean; wholeRoll: boolean },
  ): Promise<{ import: ImportView; error: string | null }> {
    const actor: Actor = { kind: 'cli', id: null };
    const data = await fs.readFile(filePath);
    const id = await this.upload(
      schoolId,
      actor,
      { filename: path.basename(filePath), data },
      { queue: false },
    );
    const hooks = options.onProgress ? { onProgress: options.onProgress } : {};
    const previewed = await this.preview(id, hooks);
    let error: string | null = null;
    if (previewed?.status === 'previewed' && options.confirm) {
      await this.requestCommit(schoolId, actor, id, { queue: false, wholeRoll: options.wholeRoll });
      try {
        await this.commitAs(id, actor, hooks);
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      }
    }
    return { import: await this.get(schoolId, id), error };
  }
}
