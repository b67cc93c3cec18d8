import { hasRole, isStaff, type Principal } from '../auth/index.ts';

/**
 * Who sees what in incidents (issue 14 item 5; docs/incidents.md "Who sees what"). Pure
 * functions; deny by default. The routes let a person in with the coarse gates below, then the
 * service asks {@link caseAccess} with the case's facts; anything less than the page needs is a
 * 404, exactly as for a case that does not exist.
 *
 * - A safeguarding concern (classified so, an indecent-image report, or a radicalisation
 *   concern) is seen by the DSL, the deputies the DSL names and the Headteacher only.
 * - Any other incident: the Headteacher, the DSL and the staff they assign.
 * - The reporter (staff, parent or pupil) sees their own report and its status, never the case.
 */

/** The facts of a case that decide who may see it. */
export interface CaseFacts {
  schoolId: string;
  safeguarding: boolean;
  reporterKind: string;
  reporterId: string;
  assignedStaffIds: readonly string[];
  deputyStaffIds: readonly string[];
}

/**
 * What this person may do with this case: `manage` (Headteacher, DSL: classify, assign, close
 * …; and, for any case but a safeguarding concern, a `reportRecipient`: a holder of one of the
 * profile's `incidents.reportToResponsibilities`), `work` (a named deputy of a safeguarding concern, or a member of staff assigned to any
 * other incident: steps, notes, wishes), `report` (the reporter: the report's status only), or
 * null (404).
 */
export type CaseAccess = 'manage' | 'work' | 'report' | null;

export function caseAccess(
  p: Principal | null | undefined,
  c: CaseFacts,
  reportRecipient = false,
): CaseAccess {
  if (!p || p.kind === 'org_admin' || p.schoolId !== c.schoolId) return null;
  // (Separate names: each type guard below narrows only its own.)
  const asLead: Principal = p;
  const asWorker: Principal = p;
  if (hasRole(asLead, 'headteacher', 'dsl')) return 'manage';
  // A holder of one of the profile's incidents.reportToResponsibilities (e.g. an E-Safety
  // Co-ordinator) deals with every incident but a safeguarding concern.
  if (reportRecipient && isStaff(p) && !c.safeguarding) return 'manage';
  if (isStaff(asWorker) && !hasRole(p, 'governor', 'volunteer')) {
    if (
      c.safeguarding
        ? c.deputyStaffIds.includes(asWorker.id)
        : c.assignedStaffIds.includes(asWorker.id)
    )
      return 'work';
  }
  if (p.kind === c.reporterKind && p.id === c.reporterId) return 'report';
  return null;
}

/** May open the case page (chronology, notes, evidence): `manage` or `work`. */
export const mayOpenCase = (a: CaseAccess): boolean => a === 'manage' || a === 'work';

/** Anyone of a school may report a concern: staff (governors too), parents and pupils. */
export const canReportIncident = (p: Principal): boolean =>
  p.kind === 'staff' || p.kind === 'parent' || p.kind === 'pupil';

/**
 * Reporting through the JSON API: staff, with their API token. Parents and pupils sign in with a
 * one-time link and have no token: they report on the page.
 */
export const canReportThroughApi = (p: Principal): boolean => isStaff(p);

/** The Headteacher and the DSL see every case of their school and manage them. */
export const canManageIncidents = (p: Principal): boolean => hasRole(p, 'headteacher', 'dsl');

/** Only the DSL names (or removes) the deputies of a safeguarding concern. */
export const canNameDeputies = (p: Principal): boolean => hasRole(p, 'dsl');

/**
 * Route gate for the case list and the case pages: staff who may be assigned or named a deputy
 * (governors and volunteers report, and are never given a case). The list and each case are
 * then scoped by {@link caseAccess}.
 */
export const mayReachCases = (p: Principal): boolean =>
  isStaff(p) && !(hasRole(p, 'governor', 'volunteer') && !canManageIncidents(p));

/** A pupil's chronology of incidents across cases: the Headteacher and the DSL. */
export const canSeePupilChronology = canManageIncidents;

/** May this staff member be assigned to a case or named a deputy (never governors, volunteers)? */
export const mayBeGivenCases = (roles: readonly string[]): boolean =>
  roles.some((r) => r !== 'governor' && r !== 'volunteer');
