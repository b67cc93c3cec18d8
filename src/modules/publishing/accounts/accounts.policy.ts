import { hasRole, isStaff, type Principal } from '../../auth/index.ts';
import type { PolicyRole } from '../../policies/index.ts';

/**
 * Who may see and manage the school's channels and accounts (SPEC §3.3): the profile's credential
 * custodian keeps the passwords of the school's accounts, unless the Headteacher permits
 * otherwise. The custodian is a profile setting (`roles.credentialCustodianRole`), so the
 * routes let any member of staff in and the handler asks `canManageChannels` with the school's
 * current setting; anyone else gets a 404. Pure functions; deny by default.
 */

/**
 * Staff who may draft posts see which channels the school has, what each is for, who keeps its
 * credentials and who may post (like the device register); volunteers and governors do not.
 */
export const canViewChannels = (p: Principal): boolean =>
  hasRole(
    p,
    'headteacher',
    'dsl',
    'dpo',
    'business_manager',
    'office',
    'ict_technician',
    'teacher',
    'support_staff',
  );

/**
 * Who gets a "Channels" tab: the Headteacher and the Business Manager, who look after the
 * school's accounts in most schools (the templates' custodian). Everyone else who may see the
 * channels reaches them from the posts pages; a school whose profile names another custodian
 * role loses nothing but the shortcut (the page itself follows the profile).
 */
export const showsChannelsTab = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'business_manager');

/** Route gate for changes: any member of staff; the handler then checks the profile's custodian role. */
export const mayReachChannels = (p: Principal): boolean => isStaff(p);

/** The profile's credential custodian and the Headteacher see and manage the channels. */
export function canManageChannels(p: Principal, custodianRole: PolicyRole): boolean {
  return hasRole(p, custodianRole, 'headteacher');
}
