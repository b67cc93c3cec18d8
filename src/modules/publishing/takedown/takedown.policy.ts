import { isStaff, type Principal } from '../../auth/index.ts';

/**
 * Who may reach the takedown pages (issue 12 item 10). The route lets any member of staff in;
 * the service then admits the Headteacher, the profile's credential custodian role
 * (`roles.credentialCustodianRole`) and anyone who keeps an account's credentials (their
 * accounts only). Everyone else gets a 404. Pure functions; deny by default.
 */
export const mayReachTakedowns = (p: Principal): boolean => isStaff(p);
