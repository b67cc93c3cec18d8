import { hasRole, type Principal } from '../auth/index.ts';

/**
 * What each member of staff's dashboard shows (SPEC §1 roles). Pure functions; deny by default.
 * The device approver's items use devices.policy.ts (`canApproveDevices`) with the profile's role.
 */

/** The pupil figures (on roll, joining, leaving): the staff who work with pupils' records. */
export const seesPupilRoll = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dsl', 'dpo', 'business_manager', 'office', 'teacher', 'support_staff');

/** Pupil imports waiting to be confirmed: the people who may import pupils. */
export const seesPupilImports = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dpo', 'office');

/** Setting up the policy profile and the staff still without a second factor: the Headteacher. */
export const seesSchoolSetup = (p: Principal): boolean => hasRole(p, 'headteacher');

/** The policy's review date coming up: the Headteacher, DPO, ICT Technician and governors. */
export const seesPolicyReview = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dpo', 'ict_technician', 'governor');

/** Consent work waiting (forms to record, campaigns to chase): the consent record keepers. */
export const seesConsentWork = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dpo', 'office');
