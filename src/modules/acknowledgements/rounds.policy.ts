import { hasRole, isStaff, type Principal } from '../auth/index.ts';

/**
 * Who may do what with rounds of acknowledgement (issue 16 item 2). Deny by default.
 * - The Headteacher (and the DSL, who follows safeguarding training) sees who has not
 *   acknowledged the current policy.
 * - A teacher records their own class's agreement (the service checks the class is theirs).
 * - A parent acknowledges the parents' guidance for themselves.
 */
export const canSeeWhoIsMissing = (p: Principal): boolean => hasRole(p, 'headteacher', 'dsl');
export const canRecordClassAgreement = (p: Principal): boolean => hasRole(p, 'teacher');
export const canAcknowledgeGuidance = (p: Principal): boolean => p.kind === 'parent';
export const canAcknowledgeByApi = (p: Principal): boolean => isStaff(p);
