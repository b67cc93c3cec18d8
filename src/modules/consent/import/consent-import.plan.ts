import type { Db } from '../../../platform/db/database.ts';
import { formatCitation, type PolicySettings } from '../../policies/index.ts';
import type { ConsentDecider } from '../register/consent.service.ts';
import {
  consentDecisionLabels,
  consentKindLabels,
  parseConsentKey,
  recordablePeriods,
  type ConsentMethod,
} from '../register/consent-rules.ts';
import type { parseConsentFile } from './consent-import.parse.ts';
import { type RowError } from './consent-import.parse.ts';
import {
  statementKey,
  type ConsentImportRepository,
  type CurrentStatement,
  type RosterLink,
  type RosterParent,
  type RosterPupil,
} from './consent-import.repository.ts';

/**
 * The consent import's plan: the parsed rows checked against the school (pupil ids, parental
 * responsibility, competence, periods) and compared with what is recorded. The preview shows it;
 * applying it (consent-import.kind.ts) compares again inside its transaction.
 */

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

/** Resolves the parsed rows against the school and compares them with what is recorded. */
export async function planConsentImport(
  db: Db,
  repository: ConsentImportRepository,
  schoolId: string,
  settings: PolicySettings,
  today: string,
  parsed: Extract<ReturnType<typeof parseConsentFile>, { ok: true }>,
): Promise<ConsentImportPreview> {
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

export function countsOf(statements: readonly PlannedStatement[]): ConsentImportCounts {
  const fresh = statements.filter((s) => !s.unchanged);
  return {
    statements: statements.length,
    newStatements: fresh.length,
    unchangedStatements: statements.length - fresh.length,
    pupils: new Set(fresh.map((s) => s.pupilId)).size,
  };
}

/** A row is unchanged when every answer it gives equals its decider's current answer. */
export function markUnchanged(
  statements: PlannedStatement[],
  current: readonly CurrentStatement[],
) {
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

export function resolveRows(
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
