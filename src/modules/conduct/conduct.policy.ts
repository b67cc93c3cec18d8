import { hasRole, isStaff, type Principal } from '../auth/index.ts';
import type { PermissionType, PolicyRole, PolicySettings } from '../policies/index.ts';

/**
 * Who may do what with staff conduct records (SPEC §3.7). Pure functions; deny by default.
 * The reviewer of declarations (`conduct.declarationReviewerRole`), who decides each kind of
 * permission (`conduct.permissionTypes.*.grantedBy`, and `conduct.selfRequestDeciders` when the
 * person asking holds that role: nobody decides their own request) and who signs off network controls
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

/**
 * Who reads one declaration: the profile's reviewer, unless the person who declared holds that
 * role (nobody reads their own declaration); then the first role of the profile's
 * `conduct.selfRequestDeciders` they do not hold (the rule that also decides a permission the
 * decider asked for: the Headteacher, then the governors, by default). Null when the profile
 * leaves nobody else.
 */
export function declarationReviewerFor(
  declarantRoles: readonly string[],
  reviewerRole: PolicyRole,
  selfRequestDeciders: readonly PolicyRole[],
): PolicyRole | null {
  for (const role of [reviewerRole, ...selfRequestDeciders])
    if (!declarantRoles.includes(role)) return role;
  return null;
}

/** Whether this person responds to this declaration: its reviewer, and not the one who made it. */
export function canRespondToDeclaration(
  p: Principal,
  declaration: { staffId: string },
  reviewerForIt: PolicyRole | null,
): boolean {
  if (!isStaff(p) || reviewerForIt === null) return false;
  return declaration.staffId !== p.id && hasRole(p, reviewerForIt);
}

/**
 * A declaration is seen by the person who made it, by the profile's reviewer, and by whoever
 * reads it in the reviewer's place (`declarationReviewerFor`) when the reviewer made it.
 */
export function canSeeDeclaration(
  p: Principal,
  declaration: { staffId: string },
  reviewerRole: PolicyRole,
  reviewerForIt: PolicyRole | null = reviewerRole,
): boolean {
  if (!isStaff(p)) return false;
  return (
    declaration.staffId === p.id ||
    canReviewDeclarations(p, reviewerRole) ||
    canRespondToDeclaration(p, declaration, reviewerForIt)
  );
}

/**
 * Who decides one request: the kind's `grantedBy` role, unless the person asking holds it, as
 * nobody decides their own request; then the first role of the profile's
 * `conduct.selfRequestDeciders` they do not hold (the Headteacher, then the governors, by
 * default). 'parent' for a named photo (the consent register answers); null when the profile
 * leaves nobody else.
 */
export function deciderRoleFor(
  type: PermissionType,
  requesterRoles: readonly string[],
  selfRequestDeciders: readonly PolicyRole[],
): PolicyRole | 'parent' | null {
  if (type.grantedBy === 'parent') return 'parent';
  for (const role of [type.grantedBy, ...selfRequestDeciders])
    if (!requesterRoles.includes(role)) return role;
  return null;
}

/**
 * Whether this person decides this request: they hold the request's decider role
 * (`deciderRoleFor`) and did not ask for it themselves. A parent's decision is the consent
 * register's.
 */
export function canDecidePermission(
  p: Principal,
  permission: { staffId: string },
  deciderRole: PolicyRole | 'parent' | null,
): boolean {
  if (!isStaff(p) || deciderRole === null || deciderRole === 'parent') return false;
  return permission.staffId !== p.id && hasRole(p, deciderRole);
}

/**
 * The person who asked holds the role that would normally decide (so someone else must): the
 * request's page says so.
 */
export function decidesOwnKind(
  p: Principal,
  permission: { staffId: string },
  type: PermissionType,
): boolean {
  return (
    isStaff(p) &&
    permission.staffId === p.id &&
    type.grantedBy !== 'parent' &&
    hasRole(p, type.grantedBy)
  );
}

/** Who confirms the network controls before such a permission can be decided. */
export function canSignOffPermission(
  p: Principal,
  type: PermissionType,
  ictRole: PolicyRole,
): boolean {
  return type.ictSignOff && hasRole(p, ictRole);
}

/**
 * A permission is seen by the person who asked, whoever decides it, whoever holds the kind's
 * `grantedBy` role (they see requests they may not decide, e.g. their own kind asked by
 * someone who also holds it) and whoever signs it off.
 */
export function canSeePermission(
  p: Principal,
  permission: { staffId: string },
  type: PermissionType,
  ictRole: PolicyRole,
  deciderRole: PolicyRole | 'parent' | null,
): boolean {
  if (!isStaff(p)) return false;
  return (
    permission.staffId === p.id ||
    canDecidePermission(p, permission, deciderRole) ||
    (type.grantedBy !== 'parent' && hasRole(p, type.grantedBy)) ||
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
