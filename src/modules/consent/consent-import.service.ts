import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { displayFilename } from '../../platform/files/display-filename.ts';
import path from 'node:path';
import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { sha256 } from '../../platform/crypto.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/audit.service.ts';
import { formatCitation, type PolicySettings } from '../policies/policy-settings.ts';
import type { ConsentDecider, ConsentService } from './consent.service.ts';
import {
  consentDecisionLabels,
  consentKindLabels,
  parseConsentKey,
  recordablePeriods,
  type ConsentMethod,
} from './consent-rules.ts';
import { parseConsentFile, type RowError } from './consent-import.parse.ts';
import {
  statementKey,
  type ConsentImportRecord,
  type ConsentImportRepository,
  type ConsentImportStatus,
  type CurrentStatement,
  type RosterLink,
  type RosterParent,
  type RosterPupil,
} from './consent-import.repository.ts';

/** A row of the file, checked and resolved to Lanyard's ids: what the commit records. */
export interface PlannedStatement {
  line: number;
  pupilId: string;
  pupilName: string;
  decider: ConsentDecider;
  deciderName: string;
  periodKey: string;
  decidedOn: string;
  method: ConsentMethod;
  decisions: Record<string, string>;
  note: string | null;
  /** Equal to the decider's current statement for the period: skipped on commit. */
  unchanged: boolean;
}

export interface ConsentImportCounts {
  /** Rows with answers and no problem. */
  statements: number;
  newStatements: number;
  unchangedStatements: number;
  /** Pupils with at least one new statement. */
  pupils: number;
}

/** Stored in consent_imports.preview. */
export interface ConsentImportPreview {
  canCommit: boolean;
  encoding: string;
  pupilIdColumn: string;
  consentColumns: { header: string; key: string; label: string }[];
  unused: string[];
  totalRows: number;
  emptyRows: number;
  unansweredRows: number;
  errors: RowError[];
  totalErrors: number;
  rowsWithErrors: number;
  counts: ConsentImportCounts | null;
  statements: PlannedStatement[];
}

export interface ConsentImportSummary {
  newStatements: number;
  unchangedStatements: number;
  pupils: number;
  pupilsWhoseAnswersChanged: number;
  durationMs: number;
}

export type ConsentImportView = Omit<ConsentImportRecord, 'status' | 'preview' | 'summary'> & {
  status: ConsentImportStatus;
  preview: ConsentImportPreview | null;
  summary: ConsentImportSummary | null;
};

function toView(r: ConsentImportRecord): ConsentImportView {
  return {
    ...r,
    status: r.status as ConsentImportStatus,
    preview: (r.preview as ConsentImportPreview | null) ?? null,
    summary: (r.summary as ConsentImportSummary | null) ?? null,
  };
}

/** A human label for a key: 'School website: Photos'. */
export function keyLabel(settings: PolicySettings, key: string): string {
  const parsed = parseConsentKey(key);
  if (!parsed) return key;
  const purpose = settings.consent.purposes.value.find((p) => p.key === parsed.purpose);
  return `${purpose?.label ?? parsed.purpose}: ${consentKindLabels[parsed.kind]}`;
}

/** 'School website: Photos yes; …' for the preview tables. */
export function answersText(settings: PolicySettings, decisions: Record<string, string>): string {
  return Object.entries(decisions)
    .map(
      ([k, v]) =>
        `${keyLabel(settings, k)} ${(consentDecisionLabels as Record<string, string>)[v]?.toLowerCase() ?? v}`,
    )
    .join('; ');
}

/**
 * Importing the consents a school already holds, from a spreadsheet (issue 3 item 8): the upload
 * is checked at once and stored as a preview (row errors, or what would be recorded); nothing is
 * recorded until someone confirms, and then everything in ONE transaction through
 * `ConsentService.recordMany`. A row equal to its decider's current statement is skipped, so the
 * same file twice changes nothing.
 */
export class ConsentImportService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: ConsentImportRepository;
      consent: ConsentService;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  /** Checks an uploaded file and stores the preview. Returns the import's id. */
  async upload(
    schoolId: string,
    actor: Actor,
    file: { filename: string; data: Buffer },
  ): Promise<string> {
    const { database, repository, audit, clock, consent } = this.deps;
    if (file.data.length === 0) throw new ValidationError({ file: 'The selected file is empty' });
    const settings = await consent.settings(schoolId);
    const now = clock.now();
    const today = ukDate(now);
    const parsed = parseConsentFile(file.data, { settings, today });
    let status: ConsentImportStatus;
    let fileError: string | null = null;
    let preview: ConsentImportPreview | null = null;
    if (!parsed.ok) {
      status = 'rejected';
      fileError = parsed.fileError.message;
    } else {
      preview = await this.plan(schoolId, settings, today, parsed);
      status = preview.canCommit ? 'previewed' : 'rejected';
    }
    const id = crypto.randomUUID();
    await database.transaction(async (tx) => {
      await repository.create(tx.db, {
        id,
        schoolId,
        filename: displayFilename(file.filename, 'consents.csv'),
        sha256: sha256(file.data),
        sizeBytes: file.data.length,
        status,
        fileError,
        preview,
        createdBy: actor.kind === 'staff' ? actor.id : null,
        createdAt: now,
      });
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'consent.import-uploaded',
        entityType: 'consent_import',
        entityId: id,
        data: {
          status,
          sizeBytes: file.data.length,
          rows: preview?.totalRows ?? 0,
          problems: preview?.totalErrors ?? (fileError ? 1 : 0),
          newStatements: preview?.counts?.newStatements ?? 0,
        },
      });
    });
    return id;
  }

  /** Resolves the parsed rows against the school and compares them with what is recorded. */
  private async plan(
    schoolId: string,
    settings: PolicySettings,
    today: string,
    parsed: Extract<ReturnType<typeof parseConsentFile>, { ok: true }>,
  ): Promise<ConsentImportPreview> {
    const { repository, database } = this.deps;
    const db = database.db;
    const [pupils, parents, links, competent] = [
      await repository.pupils(db, schoolId),
      await repository.parents(db, schoolId),
      await repository.links(db, schoolId),
      await repository.competentPupils(db, schoolId),
    ];
    const errors: RowError[] = [...parsed.errors];
    let totalErrors = parsed.totalErrors;
    const errorLines = new Set(parsed.errors.map((e) => e.line));
    const addError = (line: number, column: string | null, message: string) => {
      totalErrors++;
      errorLines.add(line);
      if (errors.length < 1000) errors.push({ line, column, message });
    };
    const resolved = resolveRows(parsed.rows, {
      settings,
      today,
      pupils,
      parents,
      links,
      competent,
      columns: parsed.header,
      addError,
    });
    errors.sort((a, b) => a.line - b.line);
    const consentColumns = parsed.header.consentColumns.map((c) => ({
      ...c,
      label: keyLabel(settings, c.key),
    }));
    const base = {
      encoding: parsed.header.encoding,
      pupilIdColumn: parsed.header.pupilIdColumn,
      consentColumns,
      unused: parsed.header.unused,
      totalRows: parsed.totalRows,
      emptyRows: parsed.emptyRows,
      unansweredRows: parsed.unansweredRows,
      errors,
      totalErrors,
      rowsWithErrors: [...errorLines].filter((l) => l > 1).length,
    };
    if (totalErrors > 0) return { ...base, canCommit: false, counts: null, statements: [] };
    const current = await repository.currentStatements(
      db,
      schoolId,
      [...new Set(resolved.map((s) => s.pupilId))],
      [...new Set(resolved.map((s) => s.periodKey))],
    );
    markUnchanged(resolved, current);
    return { ...base, canCommit: true, counts: countsOf(resolved), statements: resolved };
  }

  /**
   * Records the new statements of a clean preview, all in one transaction (pupils locked, the
   * comparison with current statements made again inside it). Pressing confirm twice is harmless.
   */
  async confirm(schoolId: string, actor: Actor, importId: string): Promise<ConsentImportView> {
    const { database, repository, consent, clock } = this.deps;
    const started = Date.now();
    try {
      await database.transaction(async (tx) => {
        const record = await repository.getForUpdate(tx.db, schoolId, importId);
        if (!record) throw new NotFoundError();
        if (record.status === 'committed') return;
        const preview = record.preview as ConsentImportPreview | null;
        if (record.status !== 'previewed' || !preview?.canCommit) {
          throw new ConflictError(
            'This file cannot be imported because it has problems. Correct them and upload the file again.',
          );
        }
        if (await repository.overtaken(tx.db, schoolId, importId, record.createdAt)) {
          throw new ConflictError(
            'A file uploaded later has already been imported, so this one could undo its answers. Upload the newest spreadsheet again.',
          );
        }
        const statements = preview.statements;
        const pupilIds = [...new Set(statements.map((s) => s.pupilId))];
        await repository.lockPupils(tx.db, schoolId, pupilIds);
        const current = await repository.currentStatements(tx.db, schoolId, pupilIds, [
          ...new Set(statements.map((s) => s.periodKey)),
        ]);
        const fresh = statements.map((s) => ({ ...s, unchanged: false }));
        markUnchanged(fresh, current);
        const toRecord = fresh.filter((s) => !s.unchanged);
        let result: Awaited<ReturnType<ConsentService['recordMany']>>;
        try {
          result = await consent.recordMany(tx, {
            schoolId,
            actor,
            importId,
            statements: toRecord.map((s) => ({
              pupilId: s.pupilId,
              periodKey: s.periodKey,
              decider: s.decider,
              decisions: s.decisions,
              method: s.method,
              decidedOn: s.decidedOn,
              note: s.note,
            })),
            auditData: {
              sha256: record.sha256,
              unchangedStatements: fresh.length - toRecord.length,
            },
          });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          const lines = Object.entries(error.fieldErrors)
            .slice(0, 5)
            .map(([k, message]) => {
              const s = toRecord[Number(k.replace('statement-', ''))];
              return `line ${s?.line ?? '?'}: ${message}`;
            });
          throw new StaleImport(
            `Something changed since the file was checked (${lines.join('; ')}). Nothing was imported. Upload the file again to see the problems.`,
          );
        }
        const summary: ConsentImportSummary = {
          newStatements: toRecord.length,
          unchangedStatements: fresh.length - toRecord.length,
          pupils: result.pupils,
          pupilsWhoseAnswersChanged: result.changedPupils,
          durationMs: Date.now() - started,
        };
        await repository.update(tx.db, importId, {
          status: 'committed',
          summary,
          committedAt: clock.now(),
        });
      });
    } catch (error) {
      if (!(error instanceof StaleImport)) throw error;
      await repository.update(database.db, importId, {
        status: 'rejected',
        fileError: error.message,
      });
      throw new ConflictError(error.message);
    }
    return this.get(schoolId, importId);
  }

  async get(schoolId: string, importId: string): Promise<ConsentImportView> {
    const record = await this.deps.repository.get(this.deps.database.db, schoolId, importId);
    if (!record) throw new NotFoundError();
    return toView(record);
  }

  async listRecent(schoolId: string, limit = 20): Promise<ConsentImportView[]> {
    const rows = await this.deps.repository.listRecent(this.deps.database.db, schoolId, limit);
    return rows.map(toView);
  }

  /** `lanyard import consents`: check the file, and with `confirm` record it. */
  async runFromCli(
    schoolId: string,
    filePath: string,
    options: { confirm: boolean },
  ): Promise<{ import: ConsentImportView; error: string | null }> {
    const actor: Actor = { kind: 'cli', id: null };
    const data = await fs.readFile(filePath);
    const id = await this.upload(schoolId, actor, { filename: path.basename(filePath), data });
    let view = await this.get(schoolId, id);
    let error: string | null = null;
    if (view.status === 'previewed' && options.confirm) {
      try {
        view = await this.confirm(schoolId, actor, id);
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        error = e.message;
        view = await this.get(schoolId, id);
      }
    }
    return { import: view, error };
  }
}

class StaleImport extends Error {}

function countsOf(statements: readonly PlannedStatement[]): ConsentImportCounts {
  const fresh = statements.filter((s) => !s.unchanged);
  return {
    statements: statements.length,
    newStatements: fresh.length,
    unchangedStatements: statements.length - fresh.length,
    pupils: new Set(fresh.map((s) => s.pupilId)).size,
  };
}

/** A row is unchanged when every answer it gives equals its decider's current answer. */
function markUnchanged(statements: PlannedStatement[], current: readonly CurrentStatement[]) {
  const byKey = new Map(
    current.map((c) => [
      statementKey(c.pupilId, c.deciderKind, c.deciderParentId, c.periodKey),
      c.decisions,
    ]),
  );
  for (const s of statements) {
    const existing = byKey.get(
      statementKey(
        s.pupilId,
        s.decider.kind,
        s.decider.kind === 'parent' ? s.decider.parentId : null,
        s.periodKey,
      ),
    );
    s.unchanged =
      existing !== undefined && Object.entries(s.decisions).every(([k, v]) => existing[k] === v);
  }
}

function resolveRows(
  rows: Extract<ReturnType<typeof parseConsentFile>, { ok: true }>['rows'],
  ctx: {
    settings: PolicySettings;
    today: string;
    pupils: RosterPupil[];
    parents: RosterParent[];
    links: RosterLink[];
    competent: Set<string>;
    columns: { pupilIdColumn: string; deciderColumn: string };
    addError: (line: number, column: string | null, message: string) => void;
  },
): PlannedStatement[] {
  const { settings, today, addError } = ctx;
  const pupilByMis = new Map(ctx.pupils.map((p) => [p.misId, p]));
  const pupilByUpper = new Map(ctx.pupils.map((p) => [p.misId.trim().toUpperCase(), p]));
  const parentByMis = new Map(ctx.parents.filter((p) => p.misId).map((p) => [p.misId!, p]));
  const parentsByEmail = new Map<string, RosterParent[]>();
  for (const p of ctx.parents) {
    if (!p.email) continue;
    const key = p.email.trim().toLowerCase();
    parentsByEmail.set(key, [...(parentsByEmail.get(key) ?? []), p]);
  }
  const linkOf = new Map(ctx.links.map((l) => [`${l.pupilId}|${l.parentId}`, l]));
  const periods = recordablePeriods(settings, today);
  const annual = settings.consent.model.value === 'annual';
  const competentRule = settings.consent.competentPupilMayConsent;
  const seen = new Map<string, number>();
  const out: PlannedStatement[] = [];
  const idColumn = ctx.columns.pupilIdColumn;
  const deciderColumn = ctx.columns.deciderColumn || null;

  for (const row of rows) {
    let ok = true;
    const fail = (column: string | null, message: string) => {
      ok = false;
      addError(row.line, column, message);
    };
    const pupil = pupilByMis.get(row.pupilRef) ?? pupilByUpper.get(row.pupilRef.toUpperCase());
    if (!pupil) {
      fail(
        idColumn,
        `No pupil with the id “${row.pupilRef}” is in Lanyard. Check the UPN or MIS id, or import the pupil first.`,
      );
      continue;
    }
    const pupilName = `${pupil.givenName} ${pupil.familyName}`;

    let decider: ConsentDecider | null = null;
    let deciderName = '';
    const parentCheck = (parent: RosterParent, how: string) => {
      const link = linkOf.get(`${pupil.id}|${parent.id}`);
      if (!link) {
        fail(deciderColumn, `The parent or carer with ${how} is not linked to ${pupilName}.`);
      } else if (!link.parentalResponsibility) {
        fail(
          deciderColumn,
          `${parent.givenName} ${parent.familyName} (${how}) does not hold parental responsibility for ${pupilName}, so cannot decide.`,
        );
      } else {
        decider = { kind: 'parent', parentId: parent.id };
        deciderName = `${parent.givenName} ${parent.familyName}`;
      }
    };
    if (row.decider.kind === 'pupil') {
      if (!competentRule.value) {
        fail(
          deciderColumn,
          `The school’s policy does not let pupils decide for themselves (${formatCitation(competentRule.citation)}).`,
        );
      } else if (!ctx.competent.has(pupil.id)) {
        fail(
          deciderColumn,
          `${pupilName} has not been assessed as able to decide for themself. Record the assessment first.`,
        );
      } else {
        decider = { kind: 'pupil' };
        deciderName = `${pupilName} (the pupil)`;
      }
    } else if (row.decider.kind === 'parent-id') {
      const parent = parentByMis.get(row.decider.misId);
      if (!parent) fail(deciderColumn, `No parent or carer has the MIS id “${row.decider.misId}”.`);
      else parentCheck(parent, `MIS id ${row.decider.misId}`);
    } else {
      const email = row.decider.email;
      const all = parentsByEmail.get(email) ?? [];
      const linked = all.filter((p) => linkOf.has(`${pupil.id}|${p.id}`));
      const withPr = linked.filter(
        (p) => linkOf.get(`${pupil.id}|${p.id}`)!.parentalResponsibility,
      );
      if (all.length === 0) fail(deciderColumn, `No parent or carer has the email ${email}.`);
      else if (withPr.length > 1) {
        fail(
          deciderColumn,
          `More than one parent of ${pupilName} uses ${email}. Use a parent MIS id column to say which.`,
        );
      } else if (withPr.length === 1) parentCheck(withPr[0]!, email);
      else parentCheck(linked[0] ?? all[0]!, email);
    }

    let periodKey: string | null = null;
    if (annual) {
      const wanted = row.periodKey ?? periods[0]!.key;
      if (!periods.some((p) => p.key === wanted)) {
        fail(
          'Period',
          `Consent can be recorded for ${periods.map((p) => p.key).join(' or ')} only (${formatCitation(settings.consent.model.citation)}); “${wanted}” is not one of them.`,
        );
      } else periodKey = wanted;
    } else if (row.periodKey && row.periodKey !== 'admission') {
      fail(
        'Period',
        `This school’s consent lasts from admission until changed (${formatCitation(settings.consent.model.citation)}): leave the period blank.`,
      );
    } else periodKey = 'admission';

    if (!ok || !decider || !periodKey) continue;
    const d = decider as ConsentDecider;
    const key = statementKey(pupil.id, d.kind, d.kind === 'parent' ? d.parentId : null, periodKey);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      addError(
        row.line,
        null,
        `Line ${earlier} already gives ${deciderName}’s answers for ${pupilName} for ${periodKey}. Keep one row per pupil and decider.`,
      );
      continue;
    }
    seen.set(key, row.line);
    out.push({
      line: row.line,
      pupilId: pupil.id,
      pupilName,
      decider: d,
      deciderName,
      periodKey,
      decidedOn: row.decidedOn ?? today,
      method: row.method,
      decisions: row.decisions,
      note: row.note,
      unchanged: false,
    });
  }
  return out;
}
