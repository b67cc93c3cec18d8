import { hasRole, type Principal } from '../../auth/index.ts';

/**
 * Who may read and change the platform guidance (issue 14 item 8). Pure functions; deny by
 * default. The pages are help, not case records: every member of staff reads them, and parents
 * and pupils signed in through their link reach them from the report form. The Headteacher and
 * the DSL keep them up to date.
 */
export const canReadGuidance = (p: Principal): boolean =>
  p.kind === 'staff' || p.kind === 'parent' || p.kind === 'pupil';

export const canEditGuidance = (p: Principal): boolean => hasRole(p, 'headteacher', 'dsl');
