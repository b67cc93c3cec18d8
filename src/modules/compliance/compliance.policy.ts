import { hasRole, type Principal } from '../auth/index.ts';
import type { PolicySettings } from '../policies/index.ts';

/**
 * Who sees the compliance view (SPEC §3.8, issue 17 item 5). Pure functions; deny by default.
 * - Those who run training (the Headteacher, the DSL, the Business Manager) see names: each
 *   person's training and acknowledgement, by role.
 * - Governors see counts by role, never names, and only where the school's profile gives them a
 *   part in the policy's review (`review.governorsMonitoringReport`, or governors among
 *   `review.reviewers`): the per-person view identifies staff, the governors' role is oversight.
 * - The trust (an organisation admin) sees figures per school: counts and percentages, never
 *   names (`canSeeTrustCompliance`).
 * - Everyone else: nothing (404).
 */
export type ComplianceView = 'names' | 'counts';

/** The page's route access: those who might see it (the profile decides for governors). */
export const mayOpenCompliance = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dsl', 'business_manager', 'governor');

export function complianceViewFor(
  p: Principal,
  settings: Pick<PolicySettings, 'review'>,
): ComplianceView | null {
  if (hasRole(p, 'headteacher', 'dsl', 'business_manager')) return 'names';
  if (
    hasRole(p, 'governor') &&
    (settings.review.governorsMonitoringReport.value ||
      settings.review.reviewers.value.includes('governor'))
  )
    return 'counts';
  return null;
}

/** The Headteacher's home page item "N people overdue". */
export const seesOverdueOnHome = (p: Principal): boolean => hasRole(p, 'headteacher');

export const canSeeTrustCompliance = (p: Principal): boolean => p.kind === 'org_admin';
