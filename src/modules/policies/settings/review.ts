/**
 * Policy settings, section `review`: policy review.
 *
 * Its vocabularies, the schema of each rule, its plain-English label and the value Lanyard
 * uses where a seed policy is silent. Each seed school's value and clause for these rules is
 * the `review` part of its template in ../templates/ (docs/policy-rules.md lists them all).
 * The rules here (paths `review.…`):
 * cycleMonths, reviewers, reminderDaysBefore, reviewAfterIncidents, governorsMonitoringReport.
 */
import { z } from 'zod';
import { lanyardDefault as dflt, ruleSchema, type RulePathOf } from './rules.ts';
import { policyRoleSchema, uniqueArray } from './common.ts';

const r = ruleSchema;

/** The `review` section of the profile. */
export const reviewSettingsSchema = z.object({
  cycleMonths: r(z.number().int().min(1).max(60)),
  reviewers: r(uniqueArray(policyRoleSchema).min(1)),
  reminderDaysBefore: r(z.number().int().min(0).max(365)),
  reviewAfterIncidents: r(z.boolean()),
  governorsMonitoringReport: r(z.boolean()),
});
export type ReviewSettings = z.infer<typeof reviewSettingsSchema>;

/** Plain-English label for each `review` rule, in display order. */
export const reviewLabels = {
  'review.cycleMonths': 'Months between policy reviews',
  'review.reviewers': 'Who reviews the policy',
  'review.reminderDaysBefore': 'Days before a review is due to send a reminder',
  'review.reviewAfterIncidents': 'Review the policy early after significant incidents',
  'review.governorsMonitoringReport': 'Governors receive a monitoring report for the review',
} as const satisfies Record<RulePathOf<ReviewSettings, 'review.'>, string>;

/** Lanyard's own `review` values, each citing 'Lanyard default' with the reason. */
export const reviewDefaults: ReviewSettings = {
  cycleMonths: dflt(12, 'All five seeds review annually.'),
  reviewers: dflt(['headteacher', 'governor'], 'The Headteacher with the governors.'),
  reminderDaysBefore: dflt(30, 'A month’s notice before the review is due.'),
  reviewAfterIncidents: dflt(true, 'Review early in the light of incidents.'),
  governorsMonitoringReport: dflt(true, 'Governors see incident logs at the review.'),
};
