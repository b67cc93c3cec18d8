import { defineModule, type Services } from '../registry.ts';
import { LifecycleRepository } from './lifecycle.repository.ts';
import { PolicyTextService } from './policy-text.service.ts';
import { PolicyReviewService } from './reviews.service.ts';
import { lifecycleRoutes } from './lifecycle.routes.ts';
import { reviewRoutes } from './reviews.routes.ts';
import { lifecycleApi } from './lifecycle.api.ts';
import { canRecordReview } from './lifecycle.policy.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** The policy as a document: its text per version, rules ↔ clauses, edits, the public page. */
    policyText: PolicyTextService;
    /** Policy reviews: records, approval and the next date, the early review after incidents. */
    policyReviews: PolicyReviewService;
  }
}

/** The policy lifecycle (issue 16 items 1–3): text, acknowledgement rounds' versions, reviews. */
export const lifecycleModule = defineModule({
  name: 'lifecycle',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'audit'
      | 'policies'
      | 'responsibilities'
      | 'acknowledgementRounds'
      | 'peopleDirectory'
      | 'incidents'
    >,
  ) => {
    const repository = new LifecycleRepository();
    return {
      policyText: new PolicyTextService({
        database: deps.database,
        repository,
        policies: deps.policies,
        rounds: deps.acknowledgementRounds,
        people: deps.peopleDirectory,
        audit: deps.audit,
        clock: deps.clock,
      }),
      policyReviews: new PolicyReviewService({
        database: deps.database,
        repository,
        policies: deps.policies,
        responsibilitiesHeld: (schoolId, staffId) =>
          deps.responsibilities.heldBy(schoolId, staffId),
        incidents: () => deps.incidents,
        audit: deps.audit,
        clock: deps.clock,
      }),
    };
  },
  routes: [lifecycleRoutes, reviewRoutes],
  api: [lifecycleApi],
  attention: async (services, p) => {
    if (!canRecordReview(p) || p.kind !== 'staff') return [];
    if (!(await services.policies.hasProfile(p.schoolId))) return [];
    if (!(await services.policyReviews.isReviewer(p))) return [];
    const early = await services.policyReviews.earlyReview(p.schoolId);
    if (!early.due) return [];
    return [
      {
        title: 'Review the policy early',
        detail: `The policy asks for an early review after significant incidents: ${early.significantIncidents} since the last review.`,
        href: '/policy/reviews',
        tag: { text: 'Due', colour: 'orange' },
      },
    ];
  },
});
