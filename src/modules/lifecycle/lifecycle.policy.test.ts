import { describe, expect, it } from 'vitest';
import { staffRoles } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canEditPolicyText,
  canReadPolicyText,
  canRecordReview,
  canSeeReviews,
} from './lifecycle.policy.ts';

describe('policy text and review policy', () => {
  it.each(staffRoles.map((r) => [r]))('decides for a %s', (role) => {
    expect(canReadPolicyText(staff(role))).toBe(true);
    expect(canEditPolicyText(staff(role))).toBe(role === 'headteacher');
    expect(canSeeReviews(staff(role))).toBe(true);
    expect(canRecordReview(staff(role))).toBe(true);
  });
  it('lets parents and pupils read the text only; a trust admin nothing here', () => {
    for (const p of others) {
      expect(canReadPolicyText(p)).toBe(p.kind !== 'org_admin');
      expect(canEditPolicyText(p)).toBe(false);
      expect(canSeeReviews(p)).toBe(false);
      expect(canRecordReview(p)).toBe(false);
    }
  });
});
