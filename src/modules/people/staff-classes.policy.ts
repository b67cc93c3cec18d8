import { hasRole, type Principal } from '../auth/index.ts';

/** The Headteacher and the school office say which classes each teacher teaches. */
export const canAssignClasses = (p: Principal): boolean => hasRole(p, 'headteacher', 'office');

/** The roles whose consent pages are limited to their assigned classes. */
export const classRoles = ['teacher', 'support_staff'] as const;
