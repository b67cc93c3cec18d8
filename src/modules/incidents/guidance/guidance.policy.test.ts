import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../../auth/index.ts';
import { others, staff } from '../../../../test/support/policy-principals.ts';
import { canEditGuidance, canReadGuidance } from './guidance.policy.ts';

// read, edit
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true]],
  ['dsl', [true, true]],
  ['dpo', [true, false]],
  ['business_manager', [true, false]],
  ['office', [true, false]],
  ['ict_technician', [true, false]],
  ['teacher', [true, false]],
  ['support_staff', [true, false]],
  ['volunteer', [true, false]],
  ['governor', [true, false]],
];
const answers = (p: Principal) => [canReadGuidance(p), canEditGuidance(p)];

describe('guidance policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('lets parents and pupils read, never edit; organisation admins nothing', () => {
    for (const p of others) {
      expect(answers(p)).toEqual(p.kind === 'org_admin' ? [false, false] : [true, false]);
    }
  });
});
