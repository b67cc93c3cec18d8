import { describe, expect, it } from 'vitest';
import type { StaffRole } from '../auth/index.ts';
import { staff } from '../../../test/support/policy-principals.ts';
import { canAssignClasses, classRoles } from './staff-classes.policy.ts';

const table: [StaffRole, boolean][] = [
  ['headteacher', true],
  ['dsl', false],
  ['dpo', false],
  ['business_manager', false],
  ['office', true],
  ['ict_technician', false],
  ['teacher', false],
  ['support_staff', false],
  ['volunteer', false],
  ['governor', false],
];

describe('staff classes policy', () => {
  it.each(table)('a %s may assign classes: %s', (role, expected) => {
    expect(canAssignClasses(staff(role))).toBe(expected);
  });

  it('never lets parents, pupils or organisation admins in', () => {
    expect(canAssignClasses({ kind: 'parent', id: 'pa1', schoolId: 's1', name: 'P' })).toBe(false);
    expect(canAssignClasses({ kind: 'pupil', id: 'pu1', schoolId: 's1', name: 'P' })).toBe(false);
    expect(
      canAssignClasses({ kind: 'org_admin', id: 'o1', organisationId: 'org1', name: 'A' }),
    ).toBe(false);
  });

  it('limits teachers and support staff to their classes', () => {
    expect([...classRoles]).toEqual(['teacher', 'support_staff']);
  });
});
