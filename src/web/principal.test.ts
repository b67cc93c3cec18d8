import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../errors.ts';
import type { Principal } from '../modules/auth/principal.ts';
import { staffActor, staffOf } from './principal.ts';

describe('staffOf', () => {
  it('returns the signed-in member of staff as they are', () => {
    const p: Principal = { kind: 'staff', id: 'st1', schoolId: 's1', roles: ['office'], name: 'A' };
    expect(staffOf(p)).toBe(p);
    expect(staffActor(staffOf(p))).toEqual({ kind: 'staff', id: 'st1' });
  });

  it('answers anyone else with a 404', () => {
    const others: (Principal | null | undefined)[] = [
      null,
      undefined,
      { kind: 'parent', id: 'pa1', schoolId: 's1', name: 'P' },
      { kind: 'pupil', id: 'pu1', schoolId: 's1', name: 'P' },
      { kind: 'org_admin', id: 'o1', organisationId: 'org1', name: 'O' },
    ];
    for (const p of others) expect(() => staffOf(p)).toThrow(NotFoundError);
  });
});
