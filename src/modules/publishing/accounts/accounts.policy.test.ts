import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../../auth/index.ts';
import { others, staff } from '../../../../test/support/policy-principals.ts';
import {
  canManageChannels,
  canViewChannels,
  mayReachChannels,
  showsChannelsTab,
} from './accounts.policy.ts';

// view, tab, reach changes, manage (custodian: Business Manager), manage (custodian: Office), manage (custodian: DPO)
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true, true, true, true, true]],
  ['dsl', [true, false, true, false, false, false]],
  ['dpo', [true, false, true, false, false, true]],
  ['business_manager', [true, true, true, true, false, false]],
  ['office', [true, false, true, false, true, false]],
  ['ict_technician', [true, false, true, false, false, false]],
  ['teacher', [true, false, true, false, false, false]],
  ['support_staff', [true, false, true, false, false, false]],
  ['volunteer', [false, false, true, false, false, false]],
  ['governor', [false, false, true, false, false, false]],
];
const answers = (p: Principal) => [
  canViewChannels(p),
  showsChannelsTab(p),
  mayReachChannels(p),
  canManageChannels(p, 'business_manager'),
  canManageChannels(p, 'office'),
  canManageChannels(p, 'dpo'),
];

describe('channels and accounts policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents, pupils and organisation admins nothing', () => {
    for (const p of others) expect(answers(p)).toEqual([false, false, false, false, false, false]);
  });
});
