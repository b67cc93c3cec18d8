import { hasRole, isStaff, type Principal } from '../auth/index.ts';
import type { PermissionType, PolicyRole, PolicySettings } from '../policies/index.ts';

/**
 * Who may do what with staff conduct records (SPEC §3.7). Pure functions; deny by default.
 * The reviewer of declarations (`conduct.declarationReviewerRole`), who decides each kind of
 * permission (`conduct.permissionTypes.*.grantedBy`) and who signs off network controls
 * (`roles.ictSignOffRole`) are profile settings, so the routes let any member of staff in and
 * the handlers ask these functions with the school's current settings; anyone else gets a 404.
 */

/** Staff, volunteers and governors make declarations and ask for permissions. */
export const canUseConduct = (p: Principal): boolean => isStaff(p);

export type DeclarationKind = 'friend_request' | 'social_contact' | 'online_presence';

/** The declarations the school's conduct rules ask for (none are offered that the profile does not ask for). */
export function declarationKindsOffered(settings: PolicySettings): DeclarationKind[] {
  const c = settings.conduct;
  const kinds: DeclarationKind[] = [];
  if (c.friendRequestsMustBeDeclared.value) kinds.push('friend_request');
  if (c.socialContactMustBeDeclared.value) kinds.push('social_contact');
  if (c.newStarterOnlinePresenceCheck.value || c.regularOnlinePresenceCheck.value)
    kinds.push('online_presence');
  return kinds;
}

/** The profile's reviewer reads every declaration and records a response. */
export function canReviewDeclarations(p: Principal, reviewerRole: PolicyRole): boolean {
  return hasRole(p, reviewerRole);
}

/** A declaration is seen by the person who made it and by the reviewer. */
export function canSeeDeclaration(
  p: Principal,
  declaration: { staffId: string },
  reviewerRole: PolicyRole,
): boolean {
  if (!isStaff(p)) return false;
  return declaration.staffId === p.id || canReviewDeclarations(p, reviewerRole);
}

/** Who decides a kind of permission: its `grantedBy` role (a parent's is the consent register's). */
export function canDecidePermission(p: Principal, type: PermissionType): boolean {
  return type.grantedBy !== 'parent' && hasRole(p, type.grantedBy);
}

/** Who confirms the network controls before such a permission can be decided. */
export function canSignOffPermission(
  p: Principal,
  type: PermissionType,
  ictRole: PolicyRole,
): boolean {
  return type.ictSignOff && hasRole(p, ictRole);
}

/** A permission is seen by the person who asked, whoever decides it and whoever signs it off. */
export function canSeePermission(
  p: Principal,
  permission: { staffId: string },
  type: PermissionType,
  ictRole: PolicyRole,
): boolean {
  if (!isStaff(p)) return false;
  return (
    permission.staffId === p.id ||
    canDecidePermission(p, type) ||
    canSignOffPermission(p, type, ictRole)
  );
}

/** The filtering and monitoring records: the ICT role keeps them; the Headteacher and DSL read them. */
export function canViewFiltering(p: Principal, ictRole: PolicyRole): boolean {
  return hasRole(p, 'headteacher', 'dsl', ictRole);
}

export function canRecordFiltering(p: Principal, ictRole: PolicyRole): boolean {
  return hasRole(p, ictRole);
}
