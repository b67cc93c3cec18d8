import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  seesConsentWork,
  seesPolicyReview,
  seesPupilImports,
  seesPupilRoll,
  seesSchoolSetup,
} from './dashboard.policy.ts';

// pupil roll, pupil imports, school set-up, policy review, consent work
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true, true, true, true]],
  ['dsl', [true, false, false, false, false]],
  ['dpo', [true, true, false, true, true]],
  ['business_manager', [true, false, false, false, false]],
  ['office', [true, true, false, false, true]],
  ['ict_technician', [false, false, false, true, false]],
  ['teacher', [true, false, false, false, false]],
  ['support_staff', [true, false, false, false, false]],
  ['volunteer', [false, false, false, false, false]],
  ['governor', [false, false, false, true, false]],
];
const answers = (p: Principal) => [
  seesPupilRoll(p),
  seesPupilImports(p),
  seesSchoolSetup(p),
  seesPolicyReview(p),
  seesConsentWork(p),
];

describe('dashboard policy', () => {
  it.each(table)('shows a %s the right items', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('shows parents, pupils and organisation admins none of the staff items', () => {
    for (const p of others) expect(answers(p)).toEqual([false, false, false, false, false]);
  });
});
