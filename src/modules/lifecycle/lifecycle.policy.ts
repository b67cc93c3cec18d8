import { hasRole, isStaff, type Principal } from '../auth/index.ts';

/**
 * Who may do what with the policy text and reviews (issue 16 items 1 and 3). Deny by default.
 * - Everyone signed in to a school (staff, parents, pupils) reads the school's policy text (it is
 *   public anyway: /schools/:slug/policy needs no sign-in).
 * - The Headteacher edits the text (a new version).
 * - Staff see the reviews; the profile's reviewers (review.reviewers, checked by the service)
 *   record and approve them: the route lets staff through and the service answers 404 to others.
 */
export const canReadPolicyText = (p: Principal): boolean => p.kind !== 'org_admin';
export const canEditPolicyText = (p: Principal): boolean => hasRole(p, 'headteacher');
export const canSeeReviews = (p: Principal): boolean => isStaff(p);
export const canRecordReview = (p: Principal): boolean => isStaff(p);
