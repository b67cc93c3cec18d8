import type { Principal, StaffPrincipal } from '../auth/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type { ListScope } from './incidents.repository.ts';
import { canManageIncidents } from './incidents.policy.ts';

/** What the recipients' rule needs (a part of IncidentsDeps). */
export interface RecipientDeps {
  policies: Pick<PolicyService, 'current'>;
  /** Who holds the profile's named responsibilities (`incidents.reportToResponsibilities`). */
  responsibilities?: {
    heldBy(schoolId: string, staffId: string): Promise<string[]>;
    holdersOf(schoolId: string, keys: readonly string[]): Promise<string[]>;
  };
}

/**
 * Whether this member of staff holds one of the profile's `incidents.reportToResponsibilities`
 * now (e.g. an E-Safety Co-ordinator): they are told of new reports, see them on their home
 * page and deal with any case but a safeguarding concern (caseAccess). Both reads are shared
 * and checked against the school's version (the profile; responsibility_holders, ADR 0018).
 */
export async function isReportRecipient(deps: RecipientDeps, p: Principal): Promise<boolean> {
  if (p.kind !== 'staff' || !deps.responsibilities) return false;
  const keys = (await deps.policies.current(p.schoolId)).settings.incidents.reportToResponsibilities
    .value;
  if (keys.length === 0) return false;
  const held = await deps.responsibilities.heldBy(p.schoolId, p.id);
  return keys.some((k) => held.includes(k));
}

/** Which cases a member of staff's lists and counts cover. */
export async function scopeOf(deps: RecipientDeps, p: StaffPrincipal): Promise<ListScope> {
  if (canManageIncidents(p)) return { kind: 'all' };
  if (await isReportRecipient(deps, p)) return { kind: 'recipient', staffId: p.id };
  return { kind: 'worker', staffId: p.id };
}
