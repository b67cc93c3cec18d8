import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canSeeTrustCompliance,
  complianceViewFor,
  mayOpenCompliance,
  seesOverdueOnHome,
  type ComplianceView,
} from './compliance.policy.ts';

/** A profile's `review` section: governors in the review or not. */
const review = (governorsReport: boolean, reviewers: string[]) =>
  ({
    review: {
      governorsMonitoringReport: { value: governorsReport },
      reviewers: { value: reviewers },
    },
  }) as unknown as Parameters<typeof complianceViewFor>[1];
const withGovernors = review(true, ['headteacher', 'governor']);
const governorsReviewOnly = review(false, ['governor']);
const withoutGovernors = review(false, ['headteacher']);

type Row = [StaffRole, [boolean, ComplianceView | null, ComplianceView | null, boolean, boolean]];
// may open the page, view (governors in the review), view (governors not in it), home item, trust
const table: Row[] = [
  ['headteacher', [true, 'names', 'names', true, false]],
  ['dsl', [true, 'names', 'names', false, false]],
  ['dpo', [false, null, null, false, false]],
  ['business_manager', [true, 'names', 'names', false, false]],
  ['office', [false, null, null, false, false]],
  ['ict_technician', [false, null, null, false, false]],
  ['teacher', [false, null, null, false, false]],
  ['support_staff', [false, null, null, false, false]],
  ['volunteer', [false, null, null, false, false]],
  ['governor', [true, 'counts', null, false, false]],
];
const answers = (p: Principal) => [
  mayOpenCompliance(p),
  complianceViewFor(p, withGovernors),
  complianceViewFor(p, withoutGovernors),
  seesOverdueOnHome(p),
  canSeeTrustCompliance(p),
];

describe('compliance policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('governors among the reviewers see counts even without the monitoring report', () => {
    expect(complianceViewFor(staff('governor'), governorsReviewOnly)).toBe('counts');
  });

  it('the trust admin sees only the trust figures; parents and pupils nothing', () => {
    const [parent, pupil, admin] = others;
    expect(answers(parent!)).toEqual([false, null, null, false, false]);
    expect(answers(pupil!)).toEqual([false, null, null, false, false]);
    expect(answers(admin!)).toEqual([false, null, null, false, true]);
  });
});
