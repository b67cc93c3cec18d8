import { describe, expect, it } from 'vitest';
import { staffRoles } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canAcknowledgeGuidance,
  canRecordClassAgreement,
  canSeeWhoIsMissing,
} from './rounds.policy.ts';

describe('rounds of acknowledgement policy', () => {
  it.each(staffRoles.map((r) => [r]))('decides for a %s', (role) => {
    expect(canSeeWhoIsMissing(staff(role))).toBe(role === 'headteacher' || role === 'dsl');
    expect(canRecordClassAgreement(staff(role))).toBe(role === 'teacher');
    expect(canAcknowledgeGuidance(staff(role))).toBe(false);
  });
  it('lets only a parent acknowledge the parents’ guidance; others see no list', () => {
    for (const p of others) {
      expect(canSeeWhoIsMissing(p)).toBe(false);
      expect(canRecordClassAgreement(p)).toBe(false);
      expect(canAcknowledgeGuidance(p)).toBe(p.kind === 'parent');
    }
  });
});
