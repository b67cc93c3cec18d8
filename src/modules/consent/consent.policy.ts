import { hasRole, type Principal } from '../auth/index.ts';

/**
 * Who may do what with the consent register (issue 3 item 9). Pure functions; deny by default.
 * Refused access to a pupil's record is answered exactly like a missing record (404).
 */

/** The consent record keeper (`roles.consentRecordKeeperRole`, the DPO) and the Headteacher owns the policy: they manage it. */
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

/** Spreadsheet import and CSV export hold the whole school's record: managers only. */
export const canImportConsent = canManageConsent;
export const canExportConsent = canManageConsent;

/** Parents give, review and change consent for their own children; a competent pupil for themself. */
export const canUseOwnConsentForm = (p: Principal): boolean =>
  p.kind === 'parent' || p.kind === 'pupil';
