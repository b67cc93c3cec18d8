/**
 * Policy settings, section `review`: policy review.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `review` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `review.…`):
 * cycleMonths, reviewers, reviewerResponsibilities, reminderDaysBefore, reviewAfterIncidents,
 * governorsMonitoringReport.
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf, type RuleValue } from './rules.ts';
import { policyRoleSchema, slug, uniqueArray } from './common.ts';

const r = ruleSchema;

// Added after profiles were first stored: a stored profile without it reads the default.
const reviewerResponsibilitiesDefault = (): RuleValue<string[]> =>
  dflt(
    [],
    'Only the reviewers’ roles review; a school may also name a responsibility (e.g. an E-Safety Co-ordinator).',
  );

/** The `review` section of the profile. */
export const reviewSettingsSchema = z.object({
  cycleMonths: r(z.number().int().min(1).max(60)),
  reviewers: r(uniqueArray(policyRoleSchema).min(1)),
  // The settings editor offers the school's responsibilities (by name) as the choices.
  reviewerResponsibilities: r(
    uniqueArray(slug).meta({
      description: 'Responsibilities whose holders also review the policy',
      optionsFrom: 'people.responsibilities',
    }),
  ).default(reviewerResponsibilitiesDefault),
  reminderDaysBefore: r(z.number().int().min(0).max(365)),
  reviewAfterIncidents: r(z.boolean()),
  governorsMonitoringReport: r(z.boolean()),
});
export type ReviewSettings = z.infer<typeof reviewSettingsSchema>;

/** Plain-English label for each `review` rule, in display order. */
export const reviewLabels = {
  'review.cycleMonths': 'Months between policy reviews',
  'review.reviewers': 'Who reviews the policy',
  'review.reviewerResponsibilities':
    'Named responsibilities whose holders also review the policy (record and approve reviews)',
  'review.reminderDaysBefore': 'Days before a review is due to send a reminder',
  'review.reviewAfterIncidents': 'Review the policy early after significant incidents',
  'review.governorsMonitoringReport': 'Governors receive a monitoring report for the review',
} as const satisfies Record<RulePathOf<ReviewSettings, 'review.'>, string>;

/** Lanyard's own `review` values, each citing 'Lanyard default' with the reason. */
export const reviewDefaults: ReviewSettings = {
  cycleMonths: dflt(12, 'All five seeds review annually.'),
  reviewers: dflt(['headteacher', 'governor'], 'The Headteacher with the governors.'),
  reviewerResponsibilities: reviewerResponsibilitiesDefault(),
  reminderDaysBefore: dflt(30, 'A month’s notice before the review is due.'),
  reviewAfterIncidents: dflt(true, 'Review early in the light of incidents.'),
  governorsMonitoringReport: dflt(true, 'Governors see incident logs at the review.'),
};
