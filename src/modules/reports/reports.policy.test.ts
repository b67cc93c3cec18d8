import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canSeeGovernorsReport,
  canSeeTrustReport,
  mayOpenGovernorsReport,
} from './reports.policy.ts';

// reach the page, see it (governors' report on), see it (off), the trust's view
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true, true, false]],
  ['dsl', [false, false, false, false]],
  ['dpo', [false, false, false, false]],
  ['business_manager', [false, false, false, false]],
  ['office', [false, false, false, false]],
  ['ict_technician', [false, false, false, false]],
  ['teacher', [false, false, false, false]],
  ['support_staff', [false, false, false, false]],
  ['volunteer', [false, false, false, false]],
  ['governor', [true, true, false, false]],
];
const answers = (p: Principal) => [
  mayOpenGovernorsReport(p),
  canSeeGovernorsReport(p, true),
  canSeeGovernorsReport(p, false),
  canSeeTrustReport(p),
];

describe('reports policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents and pupils nothing, and the trust only its own view', () => {
    for (const p of others)
      expect(answers(p)).toEqual([false, false, false, p.kind === 'org_admin']);
  });
});
