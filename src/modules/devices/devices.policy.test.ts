import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canApproveDevices,
  canRegisterDevices,
  canViewDevices,
  mayReachDeviceApproval,
} from './devices.policy.ts';

// view, register, reach approval, approve (approver: Headteacher), approve (approver: ICT Technician)
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, false, true, true, false]],
  ['dsl', [true, false, true, false, false]],
  ['dpo', [true, false, true, false, false]],
  ['business_manager', [true, false, true, false, false]],
  ['office', [true, false, true, false, false]],
  ['ict_technician', [true, true, true, false, true]],
  ['teacher', [true, false, true, false, false]],
  ['support_staff', [true, false, true, false, false]],
  ['volunteer', [false, false, true, false, false]],
  ['governor', [false, false, true, false, false]],
];
const answers = (p: Principal) => [
  canViewDevices(p),
  canRegisterDevices(p),
  mayReachDeviceApproval(p),
  canApproveDevices(p, 'headteacher'),
  canApproveDevices(p, 'ict_technician'),
];

describe('devices policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents, pupils and organisation admins nothing', () => {
    for (const p of others) expect(answers(p)).toEqual([false, false, false, false, false]);
  });
});
