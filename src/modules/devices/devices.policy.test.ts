import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canApproveDevices,
  canRegisterDevices,
  canViewDevices,
  mayReachDeviceApproval,
} from './devices.policy.ts';

// view, register, reach approval, approve (approver: Headteacher), approve (approver: ICT
// Technician), approve (approver: Headteacher, and this person holds one of the profile's
// roles.deviceApproverResponsibilities)
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, false, true, true, false, true]],
  ['dsl', [true, false, true, false, false, true]],
  ['dpo', [true, false, true, false, false, true]],
  ['business_manager', [true, false, true, false, false, true]],
  ['office', [true, false, true, false, false, true]],
  ['ict_technician', [true, true, true, false, true, true]],
  ['teacher', [true, false, true, false, false, true]],
  ['support_staff', [true, false, true, false, false, true]],
  ['volunteer', [false, false, true, false, false, true]],
  ['governor', [false, false, true, false, false, true]],
];
const answers = (p: Principal) => [
  canViewDevices(p),
  canRegisterDevices(p),
  mayReachDeviceApproval(p),
  canApproveDevices(p, 'headteacher'),
  canApproveDevices(p, 'ict_technician'),
  canApproveDevices(p, 'headteacher', true),
];

describe('devices policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents, pupils and organisation admins nothing', () => {
    // Not even with a responsibility: only staff hold them.
    for (const p of others) expect(answers(p)).toEqual([false, false, false, false, false, false]);
  });
});
