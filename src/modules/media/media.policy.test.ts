import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canReviewQuarantine,
  canTagMedia,
  canUploadMedia,
  canUseMediaLibrary,
  canViewRetentionReports,
  mayReachQuarantine,
} from './media.policy.ts';

// library, upload, tag, reach quarantine, review (approver: Headteacher), review (approver: DPO),
// retention reports, review (approver: DPO, and this person holds one of the profile's
// roles.deviceApproverResponsibilities)
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true, true, true, true, false, true, true]],
  ['dsl', [true, true, true, true, false, false, false, true]],
  ['dpo', [true, true, true, true, false, true, true, true]],
  ['business_manager', [true, true, true, true, false, false, false, true]],
  ['office', [true, true, true, true, false, false, false, true]],
  ['ict_technician', [false, false, false, true, false, false, false, true]],
  ['teacher', [true, true, true, true, false, false, false, true]],
  ['support_staff', [true, true, true, true, false, false, false, true]],
  ['volunteer', [false, false, false, true, false, false, false, true]],
  ['governor', [false, false, false, true, false, false, false, true]],
];
const answers = (p: Principal) => [
  canUseMediaLibrary(p),
  canUploadMedia(p),
  canTagMedia(p),
  mayReachQuarantine(p),
  canReviewQuarantine(p, 'headteacher'),
  canReviewQuarantine(p, 'dpo'),
  canViewRetentionReports(p),
  canReviewQuarantine(p, 'dpo', true),
];

describe('media policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents, pupils and organisation admins nothing', () => {
    for (const p of others)
      expect(answers(p)).toEqual([false, false, false, false, false, false, false, false]);
  });
});
