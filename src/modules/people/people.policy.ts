import { hasRole, secondFactorRoles, type Principal, type StaffRole } from '../auth/index.ts';
import { pupilScopeKind } from './pupil-scope.ts';

/** Who may do what with people records. Pure functions; deny by default. */

/** Staff who see some pupils (which ones: the pupil scope, pupil-scope.ts). */
export const canListPupils = (p: Principal): boolean => pupilScopeKind(p) !== 'none';

export const canListParents = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dsl', 'dpo', 'business_manager', 'office');

export const canListStaff = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dsl', 'dpo', 'business_manager', 'office');

/** Staff who keep the MIS data in step: Headteacher, DPO and the office. */
export const canImportPupils = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dpo', 'office');

/**
 * Teachers and teaching assistants see the pupils of the classes assigned to them (Staff →
 * Classes taught by staff), not the whole school: least privilege (SPEC §1). Anyone who also
 * holds a school-wide role sees everyone.
 */
export const isClassScoped = (p: Principal): boolean => pupilScopeKind(p) === 'classes';

/** A parent may see their own children; a pupil only themself. */
export const canViewOwnFamily = (p: Principal): boolean =>
  p.kind === 'parent' || p.kind === 'pupil';

export function canViewPupilRecord(
  p: Principal,
  pupil: { id: string; schoolId: string },
  isParentOf: boolean,
): boolean {
  if (p.kind === 'org_admin') return false;
  if (p.schoolId !== pupil.schoolId) return false;
  if (p.kind === 'staff') return canListPupils(p);
  if (p.kind === 'parent') return isParentOf;
  return p.kind === 'pupil' && p.id === pupil.id;
}

/**
 * Adding and editing pupils, recording leaving dates and clearing "possibly left" flags: the
 * people who keep the MIS data in step (the same as imports: Headteacher, DPO and the office).
 */
export const canManagePupils = (p: Principal): boolean => canImportPupils(p);

/** Adding staff, changing their roles, deactivating them: the Headteacher and Business Manager. */
export const canManageStaff = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'business_manager');

/**
 * The roles that open safeguarding and personal data across the school (those that must use a
 * second factor: Headteacher, DSL, DPO) are given or taken only by the Headteacher.
 */
export function canGrantRole(p: Principal, role: StaffRole): boolean {
  if (!canManageStaff(p)) return false;
  if (secondFactorRoles.includes(role)) return hasRole(p, 'headteacher');
  return true;
}

/**
 * Whether this person may change (roles, details, active) a member of staff who holds `roles`:
 * the Headteacher anyone; the Business Manager only people without a Headteacher, DSL or DPO role.
 * A change of roles is also checked role by role with canGrantRole.
 */
export function canChangeStaffMember(p: Principal, target: { roles: readonly string[] }): boolean {
  if (!canManageStaff(p)) return false;
  if (hasRole(p, 'headteacher')) return true;
  return !target.roles.some((r) => (secondFactorRoles as readonly string[]).includes(r));
}

/**
 * The school's own contact details (office phone, email, address, postcode), which the
 * publishing checks allow in posts: kept by the Headteacher.
 */
export const canEditSchoolDetails = (p: Principal): boolean => hasRole(p, 'headteacher');
