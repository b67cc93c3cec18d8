import { hasRole, isStaff, type Principal } from '../../auth/principal.ts';
import type { PolicyRole } from '../../policies/policy-settings.ts';

/**
 * Who may see and manage the school's channels and accounts (SPEC §3.3; seed 003 §5.1: "School
 * social media passwords are kept by the Business Manager … unless otherwise permitted by the
 * Headteacher"). The custodian is a profile setting (`roles.credentialCustodianRole`), so the
 * routes let any member of staff in and the handler asks `canManageChannels` with the school's
 * current setting; anyone else gets a 404. Pure functions; deny by default.
 */

/** Route gate: any member of staff; the handler then checks the profile's custodian role. */
export const mayReachChannels = (p: Principal): boolean => isStaff(p);

/** The profile's credential custodian and the Headteacher see and manage the channels. */
export function canManageChannels(p: Principal, custodianRole: PolicyRole): boolean {
  return hasRole(p, custodianRole, 'headteacher');
}
