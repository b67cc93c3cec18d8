import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import { canEditPolicy, canViewPolicy } from './policies.policy.ts';

// view, edit
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true]],
  ['dsl', [true, false]],
  ['dpo', [true, false]],
  ['business_manager', [true, false]],
  ['office', [true, false]],
  ['ict_technician', [true, false]],
  ['teacher', [true, false]],
  ['support_staff', [true, false]],
  ['volunteer', [true, false]],
  ['governor', [true, false]],
];
const answers = (p: Principal) => [canViewPolicy(p), canEditPolicy(p)];

describe('policies policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents, pupils and organisation admins nothing', () => {
    for (const p of others) expect(answers(p)).toEqual([false, false]);
  });
});
