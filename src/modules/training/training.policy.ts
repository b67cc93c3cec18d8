import { hasRole, isStaff, type Principal } from '../auth/index.ts';

/**
 * Who may do what with training (SPEC §3.8). Pure functions; deny by default.
 * - Every member of staff (volunteers and governors too) sees the sessions and their own training.
 * - The Headteacher, the DSL and the Business Manager run training: they schedule sessions, take
 *   the register (in the room or from a CSV), add materials and see everyone's training.
 * - Teachers mark their own classes' termly e-safety lesson (the handler checks the class is
 *   theirs); those who run training may mark any class.
 * - Parents book places at parents' sessions through their signed-in link.
 */
export const canViewTraining = (p: Principal): boolean => isStaff(p);

export const canManageTraining = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dsl', 'business_manager');

export const canMarkClassLessons = (p: Principal): boolean =>
  hasRole(p, 'teacher', 'headteacher', 'dsl', 'business_manager');

/** Any class (not only the ones they teach). */
export const canMarkAnyClass = (p: Principal): boolean => canManageTraining(p);

export const canBookParentSessions = (p: Principal): boolean => p.kind === 'parent';
