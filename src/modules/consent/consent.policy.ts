import { hasRole, isStaff, type Principal } from '../auth/index.ts';
import type { PolicyRole } from '../policies/index.ts';

/**
 * Who may do what with the consent register (issue 3 item 9). Pure functions; deny by default.
 * Refused access to a pupil's record is answered exactly like a missing record (404).
 */

/**
 * The DPO and the Headteacher (who owns the policy) manage the register, whoever the profile
 * names as record keeper; the keeper it names (a role or a responsibility) manages it too, on the
 * pages that ask `canManageConsentAs`.
 */
export const canManageConsent = (p: Principal): boolean => hasRole(p, 'headteacher', 'dpo');

/** Recording a paper form or a written withdrawal: the managers and the school office. */
export const canRecordConsent = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dpo', 'office');

/**
 * The register's school-wide pages (changes since a date, campaigns): the managers and the office.
 * Which pupils' consent anyone sees on the other pages is the one pupil scope (pupil-scope.ts):
 * teachers and teaching assistants see their assigned classes only.
 */
export const canViewAllConsent = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dpo', 'office');

/** Whether a member of staff sees any consent pages at all (for the navigation). */
export const canOpenConsent = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dpo', 'office', 'teacher', 'support_staff');

/**
 * Asking the register "may these pupils appear?" (the check form and the API): the staff who
 * take, choose or approve pictures.
 */
export const canCheckConsent = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dpo', 'office', 'teacher', 'support_staff', 'business_manager');

/**
 * The overview's link to "Classes taught by staff": those who assign classes to staff (the same
 * people as people's `canAssignClasses`, which guards that page).
 */
export const canAssignConsentClasses = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'office');

/**
 * The consent record keeper the profile names (issue 15): its role (`roles.consentRecordKeeperRole`,
 * the DPO in every template) and whether this person holds one of its
 * `roles.consentRecordKeeperResponsibilities` now (ConsentKeeperService.keeperFor looks it up).
 */
export interface ConsentKeeper {
  /** The profile's role; null when the school has no profile yet (then nobody is the keeper). */
  role: PolicyRole | null;
  byResponsibility: boolean;
}

/** The profile's consent record keeper: its role, or a holder of its responsibility. */
export function isConsentRecordKeeper(p: Principal, keeper: ConsentKeeper): boolean {
  return (
    (keeper.role !== null && hasRole(p, keeper.role)) || (isStaff(p) && keeper.byResponsibility)
  );
}

/**
 * Route gate (`config.access`) for every consent office route the record keeper may use: any
 * member of staff passes it, then the route's keeper check (`config.schoolAccess`, one of the
 * `…As` functions below with the school's keeper: consent-keeper.ts `keeperAccess`) answers
 * before the body is read, and 404 to everyone else (web/school-access.ts).
 */
export const mayReachConsentKeeping = (p: Principal): boolean => isStaff(p);

/**
 * The navigation's second Consent entry: staff whose role does not open the consent pages, for
 * whom the entry shows only if they keep the record (`shownBy`). Those whose role opens them
 * have the first entry, which needs no read.
 */
export const mayOpenConsentOnlyAsKeeper = (p: Principal): boolean =>
  isStaff(p) && !canOpenConsent(p);

/** The consent pages (overview, a pupil's register, classes, scans): their roles, or the keeper. */
export const canOpenConsentAs = (p: Principal, keeper: ConsentKeeper): boolean =>
  canOpenConsent(p) || isConsentRecordKeeper(p, keeper);

/**
 * Which pupils the consent pages show: the keeper keeps the whole school's record (as the
 * changes page and the export show it), so they see every pupil of the school there, whatever
 * their role's pupil scope (people/pupil-scope.ts) says elsewhere.
 */
export const seesWholeConsentRegister = (p: Principal, keeper: ConsentKeeper): boolean =>
  isConsentRecordKeeper(p, keeper);

/** The managers (the Headteacher and the DPO), or the profile's record keeper. */
export const canManageConsentAs = (p: Principal, keeper: ConsentKeeper): boolean =>
  canManageConsent(p) || isConsentRecordKeeper(p, keeper);

/** Recording and chasing forms: the managers and the office, or the profile's record keeper. */
export const canRecordConsentAs = (p: Principal, keeper: ConsentKeeper): boolean =>
  canRecordConsent(p) || isConsentRecordKeeper(p, keeper);

/** The school-wide register pages: the managers and the office, or the profile's record keeper. */
export const canViewAllConsentAs = (p: Principal, keeper: ConsentKeeper): boolean =>
  canViewAllConsent(p) || isConsentRecordKeeper(p, keeper);

/** Spreadsheet import and CSV export hold the whole school's record: managers only. */
export const canImportConsent = canManageConsent;
export const canExportConsent = canManageConsent;

/** The import (upload, preview, confirm): the managers, or the profile's record keeper. */
export const canImportConsentAs = canManageConsentAs;

/** Recording a pupil's own competence to decide (Gillick): the managers, or the record keeper. */
export const canAssessCompetenceAs = canManageConsentAs;

/** Parents give, review and change consent for their own children; a competent pupil for themself. */
export const canUseOwnConsentForm = (p: Principal): boolean =>
  p.kind === 'parent' || p.kind === 'pupil';
