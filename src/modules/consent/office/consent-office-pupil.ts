import type { Actor } from '../../audit/index.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import type {
  ConsentDecider,
  ConsentService,
  EvidenceUpload,
  RecordConsentResult,
} from '../register/consent.service.ts';
import {
  consentDecisionLabels,
  consentMethodLabels,
  type ConsentMethod,
} from '../register/consent-rules.ts';
import { namingApplies, namingNotApplicable, outcomeDisplay } from './consent-office-display.ts';
import type { ConsentOfficeService } from './consent-office.service.ts';

/**
 * One pupil's register on the staff pages, and what the office records for that pupil: a paper
 * form, a written withdrawal, a competence assessment, and the scan behind a record. Each call
 * first checks that this person may see the pupil (anyone else: NotFoundError), then goes through
 * ConsentService.
 */
export class OfficePupilRecords {
  constructor(
    private readonly deps: { consent: ConsentService },
    private readonly office: Pick<ConsentOfficeService, 'pupilFor' | 'columns'>,
  ) {}

  /** A pupil's register page: current answers, full history, competence, the forms' choices. */
  async register(p: StaffPrincipal, pupilId: string) {
    await this.office.pupilFor(p, pupilId);
    const reg = await this.deps.consent.pupilRegister(p.schoolId, pupilId);
    const columns = this.office.columns(reg.settings);
    const labels = new Map(columns.map((c) => [c.key, c]));
    return {
      ...reg,
      columns,
      current: columns.map((c) => {
        const a = reg.position.get(c.key);
        if (!namingApplies(c.kind, c.purpose, reg.position)) {
          return {
            ...c,
            outcome: 'not_applicable' as const,
            allowed: false,
            symbol: namingNotApplicable.symbol,
            text: namingNotApplicable.text,
            reason: namingNotApplicable.reason,
            citation: '',
          };
        }
        const outcome = a?.outcome ?? 'none';
        return {
          ...c,
          outcome,
          allowed: a?.allowed ?? false,
          ...outcomeDisplay[outcome],
          reason: a?.reason ?? '',
          citation: a?.citation ?? '',
        };
      }),
      records: reg.history.map((h) => ({
        ...h.record,
        decider:
          h.record.deciderKind === 'pupil'
            ? 'The pupil'
            : h.deciderGivenName
              ? `${h.deciderGivenName} ${h.deciderFamilyName}`
              : 'A parent',
        recordedBy:
          h.record.recordedByKind === 'staff' && h.recorderGivenName
            ? `${h.recorderGivenName} ${h.recorderFamilyName}`
            : h.record.recordedByKind === 'parent'
              ? 'The parent (online)'
              : h.record.recordedByKind === 'pupil'
                ? 'The pupil (online)'
                : 'Lanyard',
        methodLabel: consentMethodLabels[h.record.method as ConsentMethod] ?? h.record.method,
        decisionList: Object.entries(h.record.decisions).map(([key, d]) => {
          const c = labels.get(key);
          return {
            what: c ? `${c.purposeLabel} – ${c.kindLabel.toLowerCase()}` : key,
            decision: consentDecisionLabels[d as keyof typeof consentDecisionLabels] ?? d,
          };
        }),
      })),
      competentNow: reg.competence[0]?.assessment.competent ?? false,
      pupilMayDecide: reg.settings.consent.competentPupilMayConsent.value,
    };
  }

  /** Records a paper form (with an optional scan) for a pupil this person may see. */
  async recordPaperForm(
    p: StaffPrincipal,
    pupilId: string,
    input: {
      decider: ConsentDecider;
      periodKey?: string | undefined;
      decidedOn: string;
      method: ConsentMethod;
      decisions: Record<string, string>;
      note?: string | undefined;
      evidence?: EvidenceUpload | undefined;
    },
  ): Promise<RecordConsentResult> {
    await this.office.pupilFor(p, pupilId);
    return this.deps.consent.record(
      { schoolId: p.schoolId, pupilId, kind: 'form', ...input },
      this.actor(p),
    );
  }

  /** Records a written withdrawal: every chosen question becomes "No" from now on. */
  async recordWithdrawal(
    p: StaffPrincipal,
    pupilId: string,
    input: {
      decider: ConsentDecider;
      periodKey?: string | undefined;
      decidedOn: string;
      method: ConsentMethod;
      keys: readonly string[];
      note?: string | undefined;
      evidence?: EvidenceUpload | undefined;
    },
  ): Promise<RecordConsentResult> {
    await this.office.pupilFor(p, pupilId);
    const { keys, ...rest } = input;
    return this.deps.consent.record(
      {
        schoolId: p.schoolId,
        pupilId,
        kind: 'withdrawal',
        decisions: Object.fromEntries(keys.map((k) => [k, 'refused'])),
        ...rest,
      },
      this.actor(p),
    );
  }

  /** Records whether the pupil is competent to decide for themself (`consent.competentPupilMayConsent`). */
  async assessCompetence(
    p: StaffPrincipal,
    pupilId: string,
    input: { competent: boolean; assessedOn: string; note?: string | undefined },
  ): Promise<void> {
    await this.office.pupilFor(p, pupilId);
    await this.deps.consent.assessCompetence(
      { schoolId: p.schoolId, pupilId, ...input },
      { staffId: p.id },
    );
  }

  /** The scan behind a record, for staff who may see that pupil. */
  async evidence(p: StaffPrincipal, recordId: string) {
    const file = await this.deps.consent.evidence(p.schoolId, recordId);
    try {
      await this.office.pupilFor(p, file.pupilId);
    } catch (error) {
      (file.stream as { destroy?: () => void }).destroy?.();
      throw error;
    }
    return file;
  }

  private actor(p: StaffPrincipal): Actor {
    return { kind: 'staff', id: p.id };
  }
}
