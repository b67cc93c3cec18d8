import { Readable } from 'node:stream';
import type { Database, Db, Tx } from '../../../platform/db/database.ts';
import { ukDate, type Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import { sha256 } from '../../../platform/crypto.ts';
import { ImageRejectedError } from '../../../platform/images/image-processor.ts';
import {
  ScanRejectedError,
  type ScanSanitiser,
  type ScanType,
} from '../../../platform/images/scan-sanitiser.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import type { Actor, AuditService } from '../../audit/audit.service.ts';
import type { EventsService } from '../../events/events.service.ts';
import type { PolicyService } from '../../policies/policies.service.ts';
import type { MediaType, PolicySettings } from '../../policies/policy-settings.ts';
import type { ConsentRepository, NewConsentRecord } from './consent.repository.ts';
import { RegisterVersionReader, type ConsentRegisterCache } from './consent-register-cache.ts';
import {
  checkWindowStart,
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
  /** The pupil's name would appear with the picture (`consent.namedPhotoNeedsWrittenPermission`). */
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

/**
 * A real calendar date as yyyy-mm-dd. `Date.parse('2026-02-30')` is not NaN (it rolls over to
 * 2 March), and PostgreSQL would then reject the row with a 500; check the round trip instead.
 */
function isRealDate(iso: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return false;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === iso;
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
      /** Strips EXIF/XMP and PDF document information from a scan before it is stored. */
      scans: Pick<ScanSanitiser, 'strip' | 'clean'>;
      evidenceMaxBytes: number;
      /** The check's in-process cache (ADR 0009); without it every check reads the database. */
      cache?: ConsentRegisterCache;
    },
  ) {
    this.versions = new RegisterVersionReader((schoolIds) =>
      deps.repository.registerVersions(deps.database.db, schoolIds),
    );
  }

  async settings(schoolId: string): Promise<PolicySettings> {
    return (await this.deps.policies.current(schoolId)).settings;
  }

  /** Register versions for cached checks, many checks to a statement (ADR 0009). */
  private readonly versions: RegisterVersionReader;

  /** Parsed rules by school and policy version. A version never changes once written. */
  private readonly settingsByVersion = new Map<string, PolicySettings>();

  /**
   * The rules of the policy version the facts query saw as current: from memory after the first
   * time, so a check is one round trip and never applies rules older than that version.
   */
  private async settingsAt(schoolId: string, version: number | null): Promise<PolicySettings> {
    const key = `${schoolId}:${version}`;
    const cached = version === null ? undefined : this.settingsByVersion.get(key);
    if (cached) return cached;
    const current = await this.deps.policies.current(schoolId);
    if (version !== null && current.version === version) {
      if (this.settingsByVersion.size > 5_000) this.settingsByVersion.clear();
      this.settingsByVersion.set(key, current.settings);
    }
    return current.settings;
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
    const cache = this.deps.cache;
    if (cache && cache.maxPupils > 0) {
      const earliest = checks.reduce((m, c) => Math.min(m, (c.at ?? now).getTime()), Infinity);
      // The cache answers any moment from today on; a question about the past reads the records
      // made by then (below).
      if (ukDate(new Date(earliest)) >= ukDate(now)) {
        return this.mayManyCached(cache, schoolId, checks, now);
      }
    }
    return this.mayManyDirect(schoolId, checks, now);
  }

  /**
   * The check inside the caller's transaction (publishing, SPEC §3.5, ADR 0009): reads the
   * school's register version FOR SHARE first, so a withdrawal committed before it is always
   * seen and one committing meanwhile waits for this transaction. Answers from the cache only
   * when it holds exactly that version; otherwise reads the facts through `db`.
   */
  async mayManyInTransaction(
    db: Db,
    schoolId: string,
    checks: readonly Omit<MayInput, 'schoolId'>[],
  ): Promise<{ answers: ConsentAnswer[]; registerVersion: number }> {
    const registerVersion = await this.deps.repository.registerVersionForShare(db, schoolId);
    if (checks.length === 0) return { answers: [], registerVersion };
    const now = this.deps.clock.now();
    const today = ukDate(now);
    const ids = [...new Set(checks.map((c) => c.pupilId))];
    const entry = this.deps.cache?.get(schoolId);
    const fromCache =
      entry &&
      entry.version === registerVersion &&
      checks.every((c) => (c.at ?? now).getTime() >= now.getTime() - 1000) &&
      ids.every((id) => entry.pupils.get(id)?.covers(today));
    if (fromCache) {
      return {
        registerVersion,
        answers: checks.map((c) =>
          entry.pupils.get(c.pupilId)!.answer(entry.settings, {
            purpose: c.purpose,
            mediaType: c.mediaType,
            named: c.named ?? false,
            at: c.at ?? now,
          }),
        ),
      };
    }
    const latest = checks.reduce((m, c) => Math.max(m, (c.at ?? now).getTime()), 0);
    const { facts, policyVersion } = await this.deps.repository.factsAndPolicyVersion(
      db,
      schoolId,
      ids,
      new Date(latest),
    );
    if (ids.some((id) => !facts.has(id))) throw new NotFoundError('No such pupil');
    const settings = await this.settingsAt(schoolId, policyVersion);
    return {
      registerVersion,
      answers: checks.map((c) =>
        decide(settings, facts.get(c.pupilId)!, {
          purpose: c.purpose,
          mediaType: c.mediaType,
          named: c.named ?? false,
          at: c.at ?? now,
        }),
      ),
    };
  }

  /** The check straight from the database, for any moment (one round trip). */
  private async mayManyDirect(
    schoolId: string,
    checks: readonly Omit<MayInput, 'schoolId'>[],
    now: Date,
  ): Promise<ConsentAnswer[]> {
    const latest = checks.reduce((m, c) => Math.max(m, (c.at ?? now).getTime()), 0);
    const ids = [...new Set(checks.map((c) => c.pupilId))];
    // The hot path: one round trip for the facts and the current policy version.
    const { facts, policyVersion } = await this.deps.repository.factsAndPolicyVersion(
      this.deps.database.db,
      schoolId,
      ids,
      new Date(latest),
    );
    if (ids.some((id) => !facts.has(id))) throw new NotFoundError('No such pupil');
    const settings = await this.settingsAt(schoolId, policyVersion);
    return checks.map((c) => {
      const f = facts.get(c.pupilId)!;
      return decide(settings, f, {
        purpose: c.purpose,
        mediaType: c.mediaType,
        named: c.named ?? false,
        at: c.at ?? now,
      });
    });
  }

  /**
   * The check from the register cache (ADR 0009). Either every pupil is held and the school's
   * register version is unchanged (one tiny statement), or the missing pupils' facts are read
   * together with the version; facts of different versions are never mixed.
   */
  private async mayManyCached(
    cache: ConsentRegisterCache,
    schoolId: string,
    checks: readonly Omit<MayInput, 'schoolId'>[],
    now: Date,
  ): Promise<ConsentAnswer[]> {
    const { repository, database } = this.deps;
    const db = database.db;
    const today = ukDate(now);
    const ids = [...new Set(checks.map((c) => c.pupilId))];
    let entry = cache.get(schoolId);
    let missing = entry ? ids.filter((id) => !entry!.pupils.get(id)?.covers(today)) : ids;
    if (entry && missing.length === 0) {
      if ((await this.versions.version(schoolId)) === entry.version) {
        cache.stats.hits++;
      } else {
        cache.stale(schoolId);
        entry = undefined;
        missing = ids;
      }
    }
    if (missing.length > 0) cache.stats.misses++;
    // Read what is missing; if the version moved meanwhile, read everything asked about again.
    for (let attempt = 0; missing.length > 0; attempt++) {
      const loaded = await repository.factsForCache(db, schoolId, missing, checkWindowStart(today));
      if (loaded.facts.size < missing.length) throw new NotFoundError('No such pupil');
      const settings = await this.settingsAt(schoolId, loaded.policyVersion);
      const version = loaded.registerVersion!;
      const consistent = !entry || entry.version === version;
      entry = cache.put(
        schoolId,
        version,
        loaded.policyVersion,
        settings,
        loaded.facts.values(),
        today,
      );
      missing = consistent ? [] : ids.filter((id) => !loaded.facts.has(id));
      if (attempt >= 3 && missing.length > 0) {
        // The school's register is changing faster than it can be read: do not cache.
        cache.drop(schoolId);
        return this.mayManyDirect(schoolId, checks, now);
      }
    }
    const held = entry!;
    return checks.map((c) =>
      held.pupils.get(c.pupilId)!.answer(held.settings, {
        purpose: c.purpose,
        mediaType: c.mediaType,
        named: c.named ?? false,
        at: c.at ?? now,
      }),
    );
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

    let evidenceType: (typeof EVIDENCE_TYPES)[number] | undefined;
    if (input.evidence && input.evidence.data.length > 0) {
      evidenceType = EVIDENCE_TYPES.find((t) => t.magic(input.evidence!.data));
      if (input.evidence.data.length > this.deps.evidenceMaxBytes) {
        errors.evidence = `The scan must be smaller than ${Math.floor(this.deps.evidenceMaxBytes / 1_048_576)} MB`;
      } else if (!evidenceType) {
        errors.evidence = 'The scan must be a PDF, JPEG or PNG file';
      }
    }
    // What is stored is the scan without its metadata (who made it, where, with what): the page
    // itself is the evidence of the decision (issue 10 item 11; docs/consent-register.md).
    let stored: Buffer | undefined;
    if (input.evidence && evidenceType && !errors.evidence) {
      try {
        stored = await this.deps.scans.strip(input.evidence.data, evidenceType.type as ScanType);
      } catch (e) {
        if (!(e instanceof ScanRejectedError || e instanceof ImageRejectedError)) throw e;
        errors.evidence = `The scan cannot be read: ${e.message}`;
      }
    }
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
    const settings = await this.settings(input.schoolId);
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

  /**
   * What the consent keepers should know today: withdrawals recorded in the last `days` days
   * (each with the uses it stopped) and how many pupils on roll have no form in force.
   */
  async attention(schoolId: string, days = 7) {
    const db = this.deps.database.db;
    const now = this.deps.clock.now();
    const today = ukDate(now);
    const settings = await this.settings(schoolId);
    const since = new Date(now.getTime() - days * 86_400_000);
    const [withdrawals, withoutForm] = await Promise.all([
      this.deps.repository.recentWithdrawals(db, schoolId, since, 5),
      this.deps.repository.countWithoutStatement(db, schoolId, today),
    ]);
    const purposeLabel = (key: string) =>
      settings.consent.purposes.value.find((p) => p.key === key)?.label ?? key;
    return {
      period: periodFor(settings, today),
      withoutForm,
      withdrawals: withdrawals.map((w) => ({
        recordId: w.id,
        pupilId: w.pupil_id,
        pupilName: `${w.given_name} ${w.family_name}`,
        className: w.class_name,
        decidedOn: w.decided_on,
        recordedAt: new Date(w.recorded_at),
        stopped: stoppedUses(w.decisions, purposeLabel),
      })),
    };
  }

  /**
   * A school's consent coverage as figures only (the trust admin's view): how many pupils on roll
   * have no form in force (the register's definition), and how many of those an MIS import has
   * flagged as possibly left.
   */
  async coverage(
    schoolId: string,
  ): Promise<{ period: string; withoutForm: number; withoutFormPossiblyLeft: number }> {
    const today = ukDate(this.deps.clock.now());
    const [settings, counts] = await Promise.all([
      this.settings(schoolId),
      this.deps.repository.countWithoutStatementByFlag(this.deps.database.db, schoolId, today),
    ]);
    return {
      period: periodFor(settings, today).label,
      withoutForm: counts.all,
      withoutFormPossiblyLeft: counts.possiblyLeft,
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
    const contentType = row.evidenceContentType ?? 'application/octet-stream';
    // A scan stored before scans were stripped is served without its metadata too (the record,
    // append-only, keeps the file it was made with; issue 10 item 11).
    const scanType = EVIDENCE_TYPES.find((t) => t.type === contentType)?.type as
      ScanType | undefined;
    const stream = scanType
      ? Readable.from([
          await this.deps.scans.clean(await this.deps.files.read(row.evidenceKey), scanType),
        ])
      : await this.deps.files.stream(row.evidenceKey);
    return {
      pupilId: row.pupilId,
      filename: row.evidenceFilename ?? 'evidence',
      contentType,
      stream,
    };
  }
  // ---------------------------------------------------------------------------------------------
  // Bulk recording (added for the consent import, issue 3 item 8). Kept apart from `record`: the
  // same checks, but many statements in the caller's one transaction.

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

export type { ConsentAnswer, ConsentDecision };

const mediaWords: Record<string, string> = { image: 'photos', video: 'videos' };

/**
 * The uses a statement refuses, in words, saying which media each refusal covers: "photos for
 * School social media accounts", "photos and videos for Local newspapers", "being named with a
 * photo for Local newspapers". A use whose photos are refused but whose videos are not reads
 * "photos for …", never the bare use.
 */
export function stoppedUses(
  decisions: Record<string, string>,
  purposeLabel: (key: string) => string,
): string[] {
  const byPurpose = new Map<string, { media: string[]; named: boolean }>();
  for (const [key, decision] of Object.entries(decisions)) {
    if (decision !== 'refused') continue;
    const cut = key.lastIndexOf('/');
    const purpose = key.slice(0, cut);
    const kind = key.slice(cut + 1);
    const entry = byPurpose.get(purpose) ?? { media: [], named: false };
    if (kind === 'name') entry.named = true;
    else entry.media.push(mediaWords[kind] ?? kind);
    byPurpose.set(purpose, entry);
  }
  const out: string[] = [];
  for (const [purpose, { media, named }] of byPurpose) {
    const label = purposeLabel(purpose);
    if (media.length) out.push(`${media.sort().join(' and ')} for ${label}`);
    if (named) out.push(`being named with a photo for ${label}`);
  }
  return out;
}
