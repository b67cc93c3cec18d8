import { isStaff, type Principal } from '../auth/index.ts';

/**
 * Who may do what with policy acknowledgements. Pure functions; deny by default.
 * Every member of staff (volunteers and governors included: SPEC §1) acknowledges the policy
 * for themselves; nobody acknowledges for someone else.
 */
export const canAcknowledgePolicy = (p: Principal): boolean => isStaff(p);
