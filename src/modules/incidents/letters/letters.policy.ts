import { hasRole, type Principal } from '../../auth/index.ts';
import { mayReachCases } from '../incidents.policy.ts';

/**
 * Who may do what with incident letters (issue 14 item 7). Pure functions; deny by default.
 * The templates are the school's wording: the Headteacher and the DSL keep them. A letter is a
 * case record: the route lets in staff who may reach cases, then the service asks the case's
 * own rule (`caseAccess`: manage or work) and answers 404 to anyone else.
 */
export const canEditLetterTemplates = (p: Principal): boolean => hasRole(p, 'headteacher', 'dsl');

/** Route gate for a case's letters; the case itself decides (LettersService.caseFor). */
export const mayReachCaseLetters = (p: Principal): boolean => mayReachCases(p);
