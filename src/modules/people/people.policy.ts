import { hasRole, type Principal } from '../auth/principal.ts';

/** Who may do what with people records. Pure functions; deny by default. */
export const canListPupils = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dsl', 'dpo', 'business_manager', 'office', 'teacher', 'support_staff');

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
export const isClassScoped = (p: Principal): boolean =>
  hasRole(p, 'teacher', 'support_staff') &&
  !hasRole(p, 'headteacher', 'dsl', 'dpo', 'business_manager', 'office');

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
