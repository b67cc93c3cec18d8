/**
 * The consent module's public surface: the only file another module imports from
 * (docs/architecture.md, "Modules"). Its services reach other modules through `Services`
 * (`consent`, `consentForm`, `consentOffice`, `consentImports`, `consentCampaigns`); this file
 * gives their types, the answers they return, and the few rules other modules' pages share.
 * Repositories and tables stay inside the folder.
 *
 * Inside the module, files import each other directly; the sub-folders are by job:
 * `register/` (the register and the consent check), `family/` (the family's online form),
 * `office/` (the staff consent pages), `import/` (spreadsheets and paper forms), `campaigns/`
 * (the yearly renewal).
 */

// The register and the consent check (ADR 0006, 0009).
export type {
  BulkConsentStatement,
  BulkRecordResult,
  ConsentDecider,
  ConsentRecordKind,
  ConsentService,
  MayInput,
  RecordConsentInput,
  RecordConsentResult,
} from './register/consent.service.ts';
export type {
  ConsentAnswer,
  ConsentDecision,
  ConsentMethod,
  ConsentPeriod,
} from './register/consent-rules.ts';
/** The school's consent questions as `purpose/kind` keys (the register's columns). */
export { consentKeysFor } from './register/consent-rules.ts';

// The other services, by job.
export type { ConsentFormService } from './family/consent-form.service.ts';
export type { ConsentOfficeService } from './office/consent-office.service.ts';
export type { ConsentCampaignService } from './campaigns/consent-campaign.service.ts';
export type { ConsentImportService, ConsentImportView } from './import/consent-import.service.ts';

// Who may: shared with pages of other modules (a pupil's page links to their consent register).
export { canCheckConsent, canRecordConsent, canViewAllConsent } from './consent.policy.ts';

// Everything the register holds about one pupil or parent (subject access, issue 16 item 5).
export {
  consentAboutPerson,
  type ConsentAboutPerson,
} from './register/consent-subject-access.repository.ts';

// Retention and erasure (issue 16 item 6): candidates and sanctioned deletes.
export {
  pupilsWithConsentRecords,
  deleteConsentRecordsOf,
  staffWhoRecordedConsent,
  keepFormerStaffNamesInConsent,
} from './register/consent-retention.repository.ts';

// Figures for the governors' monitoring report (issue 16 item 4): counts only, no names.
export type { ConsentAggregates } from './consent.aggregates.ts';
