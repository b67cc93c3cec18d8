import { hasRole, type Principal } from '../auth/index.ts';

/**
 * Who sees the governors' monitoring report (issue 16 item 4; `review.governorsMonitoringReport`). Pure functions; deny
 * by default.
 * - The Headteacher: always (they present it to the governing body).
 * - Governors: only when the school's profile says governors monitor the policy with it
 *   (`review.governorsMonitoringReport`); the page cites the school's clause. The report is
 *   anonymised counts, so it identifies nobody; governors are given nothing else here.
 * - The trust (an organisation admin): the same figures per school and in total.
 * - Everyone else: nothing (404).
 */
export function canSeeGovernorsReport(p: Principal, governorsReportOn: boolean): boolean {
  if (hasRole(p, 'headteacher')) return true;
  return governorsReportOn && hasRole(p, 'governor');
}

/** The route's gate: those who might see it (the handler then asks the profile for governors). */
export const mayOpenGovernorsReport = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'governor');

export const canSeeTrustReport = (p: Principal): boolean => p.kind === 'org_admin';
