import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import type { FileStore } from '../../platform/files/file-store.ts';
import { sha256 } from '../../platform/crypto.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/audit.service.ts';
import type { EventsService } from '../events/events.service.ts';
import type { PolicyService } from '../policies/policies.service.ts';
import type { MediaType, PolicySettings } from '../policies/policy-settings.ts';
import type { ConsentRepository } from './consent.repository.ts';
import {
  consentDecisions,
  consentKeysFor,
  consentMethods,
  currentPosition,
  decide,
  periodFor,
  recordablePeriods,
  type ConsentAnswer,
  type ConsentDecision,
  type ConsentMethod,
  type ConsentPeriod,
  type PupilConsentFacts,
} from './consent-rules.ts';

export interface MayInput {
  schoolId: string;
  pupilId: string;
  purpose: string;
  mediaType: MediaType;
  /** The pupil's name would appear with the picture (004 D). */
  named?: boolean;
  /** When the picture would be used; now by default. */
  at?: Date;
}

export type ConsentDecider = { kind: 'parent'; parentId: string } | { kind: 'pupil' };
export type ConsentRecordKind = 'form' | 'amendment' | 'withdrawal' | 'import';

export interface EvidenceUpload {
  data: Buffer;
  filename: string;
}

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

const EVIDENCE_TYPES: { type: string; ext: string; magic: (b: Buffer) => boolean }[] = [
  { type: 'application/pdf', ext: 'pdf', magic: (b) => b.subarray(0, 5).toString() === '%PDF-' },
  {
    type: 'image/jpeg',
    ext: 'jpg',
    magic: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  },
  {
    type: 'image/png',
    ext: 'png',
    magic: (b) => b.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])),
  },
];

const auditActions: Record<ConsentRecordKind, string> = {
  form: 'consent.form-recorded',
  amendment: 'consent.amended',
  withdrawal: 'consent.withdrawn',
  import: 'consent.imported',
};

/**
 * The consent register: the check every other module asks (`may`), and every way a decision is
 * recorded. Records are never changed; each statement is a new row, audited, and emits
 * `consent.changed` in the same transaction.
 */
export class ConsentService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: ConsentRepository;
      audit: AuditService;
      events: EventsService;
      policies: PolicyService;
      clock: Clock;
      files: FileStore;
      evidenceMaxBytes: number;
    },
  ) {}

  async settings(schoolId: string): Promise<PolicySettings> {
    return (await this.deps.policies.current(schoolId)).settings;
  }

  /** May this pupil appear in this media for this purpose at `at`? With the reason and clause. */
  async may(input: MayInput): Promise<ConsentAnswer> {
    const [answer] = await this.mayMany(input.schoolId, [input]);
    return answer!;
  }

  /**
   * The check for many pupils at once (one round trip). A pupil who is not in the school is a
   * NotFoundError, exactly like a missing one.
   */
  async mayMany(
    schoolId: string,
    checks: readonly Omit<MayInput, 'schoolId'>[],
  ): Promise<ConsentAnswer[]> {
    if (checks.length === 0) return [];
    const now = this.deps.clock.now();
    const settings = await this.settings(schoolId);
    const latest = checks.reduce((m, c) => Math.max(m, (c.at ?? now).getTime()), 0);
    const ids = [...new Set(checks.map((c) => c.pupilId))];
    const facts = await this.deps.repository.factsFor(
      this.deps.database.db,
      schoolId,
      ids,
      new Date(latest),
    );
    return checks.map((c) => {
      const f = facts.get(c.pupilId);
      if (!f) throw new NotFoundError('No such pupil');
      return decide(settings, f, {
        purpose: c.purpose,
        mediaType: c.mediaType,
        named: c.named ?? false,
        at: c.at ?? now,
      });
    });
  }

  /** The current answer for every purpose × kind, per pupil (the class matrix, a pupil's page). */
  async positions(
    schoolId: string,
    pupilIds: readonly string[],
    at?: Date,
  ): Promise<Map<string, Map<string, ConsentAnswer>>> {
    const when = at ?? this.deps.clock.now();
    const settings = await this.settings(schoolId);
    const facts = await this.deps.repository.factsFor(
      this.deps.database.db,
      schoolId,
      pupilIds,
      when,
    );
    const out = new Map<string, Map<string, ConsentAnswer>>();
    for (const [id, f] of facts) out.set(id, currentPosition(settings, f, when));
    return out;
  }

  /** The periods a statement may be recorded for today. */
  async recordablePeriods(schoolId: string): Promise<ConsentPeriod[]> {
    return recordablePeriods(await this.settings(schoolId), ukDate(this.deps.clock.now()));
  }

  /** Records one statement (a form, an amendment, a written withdrawal, an imported row). */
  async record(input: RecordConsentInput, actor: Actor): Promise<RecordConsentResult> {
    const { database, repository, clock, files } = this.deps;
    const settings = await this.settings(input.schoolId);
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
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.decidedOn) || Number.isNaN(Date.parse(input.decidedOn))) {
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

    let evidenceType: (typeof EVIDENCE_TYPES)[number] | undefined;
    if (input.evidence && input.evidence.data.length > 0) {
      evidenceType = EVIDENCE_TYPES.find((t) => t.magic(input.evidence!.data));
      if (input.evidence.data.length > this.deps.evidenceMaxBytes) {
        errors.evidence = `The scan must be smaller than ${Math.floor(this.deps.evidenceMaxBytes / 1_048_576)} MB`;
      } else if (!evidenceType) {
        errors.evidence = 'The scan must be a PDF, JPEG or PNG file';
      }
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
    period = period!;

    const temp =
      input.evidence && evidenceType ? await files.writeTemp(input.evidence.data) : undefined;
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
          evidenceSha256: temp ? sha256(input.evidence!.data) : null,
          importId: input.importId ?? null,
          note: input.note?.trim() || null,
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
            evidenceSha256: temp ? sha256(input.evidence!.data) : null,
          },
        });
        await this.deps.events.emit(tx, input.schoolId, 'consent.changed', {
          pupilId: input.pupilId,
          recordId,
          periodKey: period.key,
          changes,
        });
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

  /** Records whether a pupil is able to decide for themself (003 §4.3); who assessed and when. */
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
    const settings = await this.settings(input.schoolId);
    if (input.competent && !settings.consent.competentPupilMayConsent.value) {
      throw new ValidationError({
        competent:
          'The school’s policy does not let pupils decide for themselves; change the policy first',
      });
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.assessedOn) || input.assessedOn > today) {
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

  /** A pupil's register page: family, every record (newest first), assessments, current answers. */
  async pupilRegister(schoolId: string, pupilId: string) {
    const db = this.deps.database.db;
    const family = await this.deps.repository.pupilWithParents(db, schoolId, pupilId);
    if (!family) throw new NotFoundError('No such pupil');
    const [history, competence, positions, settings] = await Promise.all([
      this.deps.repository.historyForPupil(db, schoolId, pupilId),
      this.deps.repository.competenceHistory(db, schoolId, pupilId),
      this.positions(schoolId, [pupilId]),
      this.settings(schoolId),
    ]);
    return {
      ...family,
      history,
      competence,
      position: positions.get(pupilId)!,
      settings,
      periods: recordablePeriods(settings, ukDate(this.deps.clock.now())),
    };
  }

  /** The children a parent holds parental responsibility for. */
  async childrenOf(schoolId: string, parentId: string) {
    return this.deps.repository.childrenOfParent(this.deps.database.db, schoolId, parentId);
  }

  /** The scan attached to a record, for staff who may see the pupil's register. */
  async evidence(schoolId: string, recordId: string) {
    const row = await this.deps.repository.getRecord(this.deps.database.db, schoolId, recordId);
    if (!row?.evidenceKey) throw new NotFoundError('No such file');
    return {
      pupilId: row.pupilId,
      filename: row.evidenceFilename ?? 'evidence',
      contentType: row.evidenceContentType ?? 'application/octet-stream',
      stream: await this.deps.files.stream(row.evidenceKey),
    };
  }
}

export type { ConsentAnswer, ConsentDecision };
