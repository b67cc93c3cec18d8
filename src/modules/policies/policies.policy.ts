import { isStaff, hasRole, type Principal } from '../auth/index.ts';

/** Every member of staff and every governor may read the school's policy profile. */
export const canViewPolicy = (p: Principal): boolean => isStaff(p);

/** The Headteacher owns the policy (SPEC §1) and is the only one who changes its settings. */
export const canEditPolicy = (p: Principal): boolean => hasRole(p, 'headteacher');
