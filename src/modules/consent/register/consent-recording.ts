import type { Tx } from '../../../platform/db/database.ts';
import { ukDate } from '../../../platform/clock.ts';
import { sha256 } from '../../../platform/crypto.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import type { Actor } from '../../audit/index.ts';
import type { PolicySettings } from '../../policies/index.ts';
import type { NewConsentRecord } from './consent.repository.ts';
import {
  consentDecisions,
  consentKeysFor,
  consentMethods,
  currentPosition,
  periodFor,
  recordablePeriods,
  type ConsentMethod,
  type ConsentPeriod,
  type PupilConsentFacts,
} from './consent-rules.ts';
import { prepareEvidence, type EvidenceUpload } from './consent-evidence.ts';
import { currentSettings, isRealDate, type ConsentDeps } from './consent-shared.ts';

export type ConsentDecider = { kind: 'parent'; parentId: string } | { kind: 'pupil' };
export type ConsentRecordKind = 'form' | 'amendment' | 'withdrawal' | 'import';

export interface RecordConsentInput {
  schoolId: string;
  pupilId: string;
  /** Defaults to the period containing today (or `decidedOn` for consent until changed). */
  periodKey?: string | undefined;
  decider: ConsentDecider;
  /** Keys `purpose/kind` → decision; only the keys this statement is about. */
  decisions: Record<string, string>;
  method: ConsentMethod;
  kind: ConsentRecordKind;
  /** yyyy-mm-dd, the date on the form or letter. */
  decidedOn: string;
  note?: string | null | undefined;
  evidence?: EvidenceUpload | null | undefined;
  importId?: string | null | undefined;
}

export interface RecordConsentResult {
  recordId: string;
  periodKey: string;
  changes: { key: string; before: boolean; after: boolean }[];
}

const auditActions: Record<ConsentRecordKind, string> = {
  form: 'consent.form-recorded',
  amendment: 'consent.amended',
  withdrawal: 'consent.withdrawn',
  import: 'consent.imported',
};

/**
 * Every way a decision reaches the register: one statement (a form, an amendment, a written
 * withdrawal), many in one transaction (the spreadsheet import), and a pupil's competence
 * assessment. Records are never changed; each statement is a new row, audited, and emits
 * `consent.changed` in the same transaction.
 */
export class ConsentRecording {
  constructor(private readonly deps: ConsentDeps) {}

  /** Records one statement (a form, an amendment, a written withdrawal, an imported row). */
  async record(
    input: RecordConsentInput,
    actor: Actor,
    options: {
      /** Work that must commit or fail with the record (e.g. enqueueing its follow-up job). */
      inTransaction?: (tx: Tx, recordId: string) => Promise<void>;
    } = {},
  ): Promise<RecordConsentResult> {
    const { database, repository, clock, files } = this.deps;
    const policy = await this.deps.policies.current(input.schoolId);
    const settings = policy.settings;
    const now = clock.now();
    const today = ukDate(now);
    const errors: Record<string, string> = {};

    const allowedKeys = new Set(consentKeysFor(settings));
    const entries = Object.entries(input.decisions);
    if (entries.length === 0) errors.decisions = 'Answer at least one question';
    for (const [key, value] of entries) {
      if (!allowedKeys.has(key))
        errors.decisions = `“${key}” is not a question on this school’s form`;
      else if (!(consentDecisions as readonly string[]).includes(value)) {
        errors[key] = 'Choose yes, no or not returned';
      }
    }
    if (!(consentMethods as readonly string[]).includes(input.method)) {
      errors.method = 'Choose how the decision was given';
    }
    if (!isRealDate(input.decidedOn)) {
      errors.decidedOn = 'Enter the date on the form as a real date';
    } else if (input.decidedOn > today) {
      errors.decidedOn = 'The date on the form must be today or in the past';
    }
    const periods = recordablePeriods(settings, today);
    let period: ConsentPeriod | undefined =
      settings.consent.model.value === 'annual'
        ? input.periodKey
          ? periods.find((p) => p.key === input.periodKey)
          : periods[0]
        : periodFor(settings, errors.decidedOn ? today : input.decidedOn);
    if (!period) errors.periodKey = 'Choose this school year or the next';
    if (input.note && input.note.length > 1000)
      errors.note = 'Note must be 1000 characters or fewer';

    const evidence = await prepareEvidence(this.deps, input.evidence);
    if (evidence.error) errors.evidence = evidence.error;
    const evidenceType = evidence.type;
    const stored = evidence.stored;
    if (Object.keys(errors).length) throw new ValidationError(errors);
    period = period!;

    const temp = stored ? await files.writeTemp(stored) : undefined;
    let evidenceKey: string | undefined;
    try {
      const result = await database.transaction(async (tx) => {
        if (!(await repository.lockPupil(tx.db, input.schoolId, input.pupilId))) {
          throw new NotFoundError('No such pupil');
        }
        const family = (await repository.pupilWithParents(tx.db, input.schoolId, input.pupilId))!;
        const before = (await repository.factsFor(tx.db, input.schoolId, [input.pupilId], now)).get(
          input.pupilId,
        )!;
        if (input.decider.kind === 'parent') {
          const parentId = input.decider.parentId;
          const link = family.parents.find((p) => p.id === parentId);
          if (!link || !link.parentalResponsibility) {
            throw new ValidationError({
              decider: 'Choose a parent or carer with parental responsibility for this pupil',
            });
          }
        } else if (!settings.consent.competentPupilMayConsent.value || !before.competent) {
          throw new ValidationError({
            decider:
              'A pupil can decide for themself only when the policy allows it and they have been assessed as competent',
          });
        }

        const recordId = crypto.randomUUID();
        evidenceKey = temp ? `${input.schoolId}/consent/${recordId}/evidence` : undefined;
        await repository.insertRecord(tx.db, {
          id: recordId,
          schoolId: input.schoolId,
          pupilId: input.pupilId,
          periodKey: period.key,
          validFrom: period.validFrom,
          validUntil: period.validUntil,
          deciderKind: input.decider.kind,
          deciderParentId: input.decider.kind === 'parent' ? input.decider.parentId : null,
          decisions: input.decisions,
          method: input.method,
          kind: input.kind,
          decidedOn: input.decidedOn,
          recordedAt: now,
          recordedByKind: actor.kind,
          recordedById: actor.id,
          evidenceKey: evidenceKey ?? null,
          evidenceFilename: temp ? input.evidence!.filename.slice(0, 200) : null,
          evidenceContentType: evidenceType?.type ?? null,
          evidenceSha256: temp?.sha256 ?? null,
          importId: input.importId ?? null,
          note: input.note?.trim() || null,
          policyVersion: policy.version,
        });
        const after = (await repository.factsFor(tx.db, input.schoolId, [input.pupilId], now)).get(
          input.pupilId,
        )!;
        const changes = this.changesBetween(settings, before, after, now);
        await this.deps.audit.record(tx, {
          schoolId: input.schoolId,
          actor,
          action: auditActions[input.kind],
          entityType: 'consent_record',
          entityId: recordId,
          data: {
            pupilId: input.pupilId,
            periodKey: period.key,
            method: input.method,
            deciderKind: input.decider.kind,
            deciderParentId: input.decider.kind === 'parent' ? input.decider.parentId : null,
            decisions: input.decisions,
            evidenceSha256: temp?.sha256 ?? null,
            ...(temp
              ? { evidenceReceivedSha256: sha256(input.evidence!.data), metadataStripped: true }
              : {}),
          },
        });
        await this.deps.events.emit(tx, input.schoolId, 'consent.changed', {
          pupilId: input.pupilId,
          recordId,
          periodKey: period.key,
          changes,
        });
        await options.inTransaction?.(tx, recordId);
        return { recordId, periodKey: period.key, changes };
      });
      if (temp && evidenceKey) await files.commit(temp.name, evidenceKey);
      return result;
    } catch (error) {
      if (temp) await files.discard(temp.name).catch(() => undefined);
      throw error;
    }
  }

  private changesBetween(
    settings: PolicySettings,
    before: PupilConsentFacts,
    after: PupilConsentFacts,
    at: Date,
  ): { key: string; before: boolean; after: boolean }[] {
    const b = currentPosition(settings, before, at);
    const a = currentPosition(settings, after, at);
    const changes: { key: string; before: boolean; after: boolean }[] = [];
    for (const [key, answer] of a) {
      const was = b.get(key)?.allowed ?? false;
      if (was !== answer.allowed) changes.push({ key, before: was, after: answer.allowed });
    }
    return changes;
  }

  /** Records whether a pupil is able to decide for themself (`consent.competentPupilMayConsent`); who assessed and when. */
  async assessCompetence(
    input: {
      schoolId: string;
      pupilId: string;
      competent: boolean;
      assessedOn: string;
      note?: string | null | undefined;
    },
    assessor: { staffId: string },
  ): Promise<void> {
    const today = ukDate(this.deps.clock.now());
    const settings = await currentSettings(this.deps, input.schoolId);
    if (input.competent && !settings.consent.competentPupilMayConsent.value) {
      throw new ValidationError({
        competent:
          'The school’s policy does not let pupils decide for themselves; change the policy first',
      });
    }
    if (!isRealDate(input.assessedOn) || input.assessedOn > today) {
      throw new ValidationError({
        assessedOn: 'Enter the date of the assessment, today or earlier',
      });
    }
    await this.deps.database.transaction(async (tx) => {
      if (!(await this.deps.repository.lockPupil(tx.db, input.schoolId, input.pupilId))) {
        throw new NotFoundError('No such pupil');
      }
      const row = await this.deps.repository.insertCompetence(tx.db, {
        schoolId: input.schoolId,
        pupilId: input.pupilId,
        competent: input.competent,
        assessedBy: assessor.staffId,
        assessedOn: input.assessedOn,
        recordedAt: this.deps.clock.now(),
        note: input.note?.trim() || null,
      });
      await this.deps.audit.record(tx, {
        schoolId: input.schoolId,
        actor: { kind: 'staff', id: assessor.staffId },
        action: 'consent.competence-assessed',
        entityType: 'pupil',
        entityId: input.pupilId,
        data: { assessmentId: row.id, competent: input.competent, assessedOn: input.assessedOn },
      });
    });
  }

  /**
   * Records many statements inside the caller's transaction (the spreadsheet import), with the
   * checks `record` makes — keys the profile asks about, yes/no/not returned, method, a real date
   * not in the future, a period that may be recorded today, and a decider who holds parental
   * responsibility or is a pupil assessed as competent where the policy allows it. Pupils are
   * locked in id order and records inserted in batches.
   *
   * Audit: ONE summarising event (`consent.imported` on the import, with counts and the periods)
   * instead of one per record. Each record keeps the import's id and is itself append-only, so
   * who recorded what for a pupil is still answered record by record, and the audit chain is not
   * lengthened by thousands of entries for one action by one person.
   * Events: one `consent.changed` per pupil whose overall answers changed.
   * Any invalid statement throws a ValidationError keyed `statement-<index>`; nothing is written.
   */
  async recordMany(
    tx: Tx,
    input: {
      schoolId: string;
      statements: readonly BulkConsentStatement[];
      actor: Actor;
      importId: string;
      auditData?: Record<string, unknown>;
    },
  ): Promise<BulkRecordResult> {
    const { repository, clock } = this.deps;
    const { schoolId, statements, actor } = input;
    const policy = await this.deps.policies.current(schoolId);
    const settings = policy.settings;
    const now = clock.now();
    const today = ukDate(now);
    const allowedKeys = new Set(consentKeysFor(settings));
    const periods = recordablePeriods(settings, today);
    const pupilIds = [...new Set(statements.map((s) => s.pupilId))].sort();
    await repository.lockPupils(tx.db, schoolId, pupilIds);
    const before = await repository.factsFor(tx.db, schoolId, pupilIds, now);

    const errors: Record<string, string> = {};
    const rows: NewConsentRecord[] = [];
    const lastRecordOf = new Map<string, string>();
    statements.forEach((st, i) => {
      const fail = (message: string) => {
        errors[`statement-${i}`] ??= message;
      };
      const facts = before.get(st.pupilId);
      if (!facts) return fail('No such pupil in this school');
      const entries = Object.entries(st.decisions);
      if (entries.length === 0) fail('Answer at least one question');
      for (const [key, value] of entries) {
        if (!allowedKeys.has(key)) fail(`“${key}” is not a question on this school’s form`);
        else if (!(consentDecisions as readonly string[]).includes(value)) {
          fail('Choose yes, no or not returned');
        }
      }
      if (!(consentMethods as readonly string[]).includes(st.method)) {
        fail('Choose how the decision was given');
      }
      const badDate = !isRealDate(st.decidedOn);
      if (badDate) fail('Enter the date on the form as a real date');
      else if (st.decidedOn > today) fail('The date on the form must be today or in the past');
      const period =
        settings.consent.model.value === 'annual'
          ? st.periodKey
            ? periods.find((p) => p.key === st.periodKey)
            : periods[0]
          : !st.periodKey || st.periodKey === 'admission'
            ? periodFor(settings, badDate ? today : st.decidedOn)
            : undefined;
      if (!period) {
        fail(
          settings.consent.model.value === 'annual'
            ? `Consent can be recorded for ${periods.map((p) => p.key).join(' or ')} only`
            : 'This school’s consent lasts from admission until changed: leave the period blank',
        );
      }
      if (st.decider.kind === 'parent') {
        if (!facts.parentalResponsibility.has(st.decider.parentId)) {
          fail('This parent or carer does not hold parental responsibility for the pupil');
        }
      } else if (!settings.consent.competentPupilMayConsent.value || !facts.competent) {
        fail(
          'A pupil can decide for themself only when the policy allows it and they have been assessed as competent',
        );
      }
      if (st.note && st.note.length > 1000) fail('Note must be 1000 characters or fewer');
      if (errors[`statement-${i}`] || !period) return;
      const id = crypto.randomUUID();
      lastRecordOf.set(st.pupilId, id);
      rows.push({
        id,
        schoolId,
        pupilId: st.pupilId,
        periodKey: period.key,
        validFrom: period.validFrom,
        validUntil: period.validUntil,
        deciderKind: st.decider.kind,
        deciderParentId: st.decider.kind === 'parent' ? st.decider.parentId : null,
        decisions: st.decisions,
        method: st.method,
        kind: 'import',
        decidedOn: st.decidedOn,
        recordedAt: now,
        recordedByKind: actor.kind,
        recordedById: actor.id,
        importId: input.importId,
        note: st.note?.trim() || null,
        policyVersion: policy.version,
      });
    });
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);

    for (let i = 0; i < rows.length; i += BULK_CHUNK) {
      await repository.insertRecords(tx.db, rows.slice(i, i + BULK_CHUNK));
    }
    const touched = [...lastRecordOf.keys()];
    const after = await repository.factsFor(tx.db, schoolId, touched, now);
    let changedPupils = 0;
    let events = 0;
    for (const pupilId of touched) {
      const changes = this.changesBetween(settings, before.get(pupilId)!, after.get(pupilId)!, now);
      if (changes.length === 0) continue;
      changedPupils++;
      events++;
      await this.deps.events.emit(tx, schoolId, 'consent.changed', {
        pupilId,
        recordId: lastRecordOf.get(pupilId)!,
        periodKey: rows.find((r) => r.id === lastRecordOf.get(pupilId))!.periodKey,
        changes,
      });
    }
    await this.deps.audit.record(tx, {
      schoolId,
      actor,
      action: 'consent.imported',
      entityType: 'consent_import',
      entityId: input.importId,
      data: {
        records: rows.length,
        pupils: touched.length,
        pupilsWhoseAnswersChanged: changedPupils,
        periodKeys: [...new Set(rows.map((r) => r.periodKey))].sort(),
        ...input.auditData,
      },
    });
    return { recordIds: rows.map((r) => r.id!), pupils: touched.length, changedPupils, events };
  }
}

/** One statement for `recordMany` (a row of a consent spreadsheet). */
export interface BulkConsentStatement {
  pupilId: string;
  periodKey?: string | null | undefined;
  decider: ConsentDecider;
  decisions: Record<string, string>;
  method: ConsentMethod;
  decidedOn: string;
  note?: string | null | undefined;
}

export interface BulkRecordResult {
  recordIds: string[];
  pupils: number;
  /** Pupils for whom a `consent.changed` event was emitted. */
  changedPupils: number;
  events: number;
}

/** Records per INSERT in `recordMany` (about 20 parameters each, well under PostgreSQL's limit). */
const BULK_CHUNK = 500;
