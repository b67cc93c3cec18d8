import type { ConsentDeps } from './consent-shared.ts';
import { ConsentCheck } from './consent-check.ts';
import { ConsentRecording } from './consent-recording.ts';
import { ConsentEvidence } from './consent-evidence.ts';
import { ConsentReads } from './consent-reads.ts';

export type { ConsentDeps } from './consent-shared.ts';
export type { MayInput } from './consent-check.ts';
export type {
  BulkConsentStatement,
  BulkRecordResult,
  ConsentDecider,
  ConsentRecordKind,
  RecordConsentInput,
  RecordConsentResult,
} from './consent-recording.ts';
export type { EvidenceUpload } from './consent-evidence.ts';
export type { ConsentAnswer, ConsentDecision } from './consent-rules.ts';

/**
 * The consent register: the check every other module asks (`may`), and every way a decision is
 * recorded. Records are never changed; each statement is a new row, audited, and emits
 * `consent.changed` in the same transaction.
 *
 * This class is the register's one surface; the work is done by its parts, one per concern —
 * the check (consent-check.ts), recording (consent-recording.ts), the scans kept as evidence
 * (consent-evidence.ts) and what the register says for pages (consent-reads.ts) — which share
 * one deps object (consent-shared.ts). Each method here hands its call to the part that owns it.
 */
export class ConsentService {
  private readonly check: ConsentCheck;
  private readonly recording: ConsentRecording;
  private readonly scans: ConsentEvidence;
  private readonly reads: ConsentReads;

  constructor(private readonly deps: ConsentDeps) {
    this.check = new ConsentCheck(deps);
    this.recording = new ConsentRecording(deps);
    this.scans = new ConsentEvidence(deps);
    this.reads = new ConsentReads(deps, this.check);
  }

  // The check (consent-check.ts)

  settings(...a: Parameters<ConsentCheck['settings']>) {
    return this.check.settings(...a);
  }
  may(...a: Parameters<ConsentCheck['may']>) {
    return this.check.may(...a);
  }
  mayMany(...a: Parameters<ConsentCheck['mayMany']>) {
    return this.check.mayMany(...a);
  }
  mayManyInTransaction(...a: Parameters<ConsentCheck['mayManyInTransaction']>) {
    return this.check.mayManyInTransaction(...a);
  }
  positions(...a: Parameters<ConsentCheck['positions']>) {
    return this.check.positions(...a);
  }

  // Recording (consent-recording.ts)

  record(...a: Parameters<ConsentRecording['record']>) {
    return this.recording.record(...a);
  }
  recordMany(...a: Parameters<ConsentRecording['recordMany']>) {
    return this.recording.recordMany(...a);
  }
  assessCompetence(...a: Parameters<ConsentRecording['assessCompetence']>) {
    return this.recording.assessCompetence(...a);
  }

  // Evidence (consent-evidence.ts)

  evidence(...a: Parameters<ConsentEvidence['evidence']>) {
    return this.scans.evidence(...a);
  }

  // What the register says, for pages (consent-reads.ts)

  recordablePeriods(...a: Parameters<ConsentReads['recordablePeriods']>) {
    return this.reads.recordablePeriods(...a);
  }
  pupilRegister(...a: Parameters<ConsentReads['pupilRegister']>) {
    return this.reads.pupilRegister(...a);
  }
  attention(...a: Parameters<ConsentReads['attention']>) {
    return this.reads.attention(...a);
  }
  coverage(...a: Parameters<ConsentReads['coverage']>) {
    return this.reads.coverage(...a);
  }
  childrenOf(...a: Parameters<ConsentReads['childrenOf']>) {
    return this.reads.childrenOf(...a);
  }
}
