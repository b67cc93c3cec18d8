/**
 * The policy lifecycle module's public surface (docs/architecture.md, "Boundaries"): the
 * services' types (`Services.policyText`, `Services.policyReviews`) and who may do what.
 */
export type { PolicyTextService, PolicyDocument } from './policy-text.service.ts';
export type { PolicyReviewService, EarlyReview } from './reviews.service.ts';
export { canReadPolicyText, canEditPolicyText, canSeeReviews } from './lifecycle.policy.ts';

// Retention (issue 16 item 6): staff a kept policy review names (the sweep keeps their record).
export {
  keepFormerStaffNamesInPolicyTexts,
  staffNamedInPolicyReviews,
} from './lifecycle-retention.repository.ts';
