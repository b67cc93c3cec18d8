import { hasRole, type Principal } from '../auth/index.ts';

/**
 * Who may do what with subject access requests and erasure (SPEC §3.10; UK GDPR Art. 15, 17).
 * Pure functions; deny by default. The Data Protection Officer logs, produces, extends and
 * closes requests and carries out erasure; the Headteacher sees the list and the retention
 * report (accountable for the school's compliance) but opens no bundle.
 */

/** The DPO handles requests: logs them, produces the bundle, extends, closes, erases. */
export const canHandleSubjectAccess = (p: Principal): boolean => hasRole(p, 'dpo');

/** The DPO and the Headteacher see the list of requests and the retention report. */
export const canViewSubjectAccess = (p: Principal): boolean => hasRole(p, 'dpo', 'headteacher');
