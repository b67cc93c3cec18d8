import { hasRole, type Principal } from '../auth/index.ts';

/** The audit log page: Headteacher and DPO (issue #2 §6). */
export const canViewAudit = (p: Principal): boolean => hasRole(p, 'headteacher', 'dpo');
