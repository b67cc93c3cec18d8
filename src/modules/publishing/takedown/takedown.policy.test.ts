import { describe, expect, it } from 'vitest';
import { mayReachTakedowns } from './takedown.policy.ts';
import type { Principal } from '../../auth/index.ts';

const staff = (roles: string[]) =>
  ({ kind: 'staff', id: 's', schoolId: 'x', name: 'A', roles }) as unknown as Principal;

describe('who may reach the takedown pages', () => {
  it.each([
    ['a Headteacher', staff(['headteacher']), true],
    ['a business manager', staff(['business_manager']), true],
    ['a teacher (the service then asks whether they keep an account)', staff(['teacher']), true],
    [
      'a parent',
      { kind: 'parent', id: 'p', schoolId: 'x', name: 'P' } as unknown as Principal,
      false,
    ],
    [
      'a pupil',
      { kind: 'pupil', id: 'p', schoolId: 'x', name: 'P' } as unknown as Principal,
      false,
    ],
  ])('%s: %s', (_who, p, expected) => {
    expect(mayReachTakedowns(p)).toBe(expected);
  });
});
