import { describe, expect, it } from 'vitest';
import { staffRoles } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import { canAcknowledgePolicy } from './acknowledgements.policy.ts';

describe('acknowledgements policy', () => {
  it.each(staffRoles.map((r) => [r]))('lets a %s acknowledge the policy', (role) => {
    expect(canAcknowledgePolicy(staff(role))).toBe(true);
  });
  it('gives parents, pupils and organisation admins nothing here', () => {
    for (const p of others) expect(canAcknowledgePolicy(p)).toBe(false);
  });
});
