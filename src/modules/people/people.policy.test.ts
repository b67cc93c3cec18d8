import { describe, expect, it } from 'vitest';
import { canImportPupils, canListPupils, canViewPupilRecord } from './people.policy.ts';
import type { Principal } from '../auth/principal.ts';

const staff = (roles: string[], schoolId = 's1'): Principal => ({
  kind: 'staff',
  id: 'x',
  schoolId,
  roles: roles as never,
  name: 'X',
});

describe('people policy', () => {
  it('lets teaching and office staff list pupils, not governors, volunteers or ICT', () => {
    expect(canListPupils(staff(['teacher']))).toBe(true);
    expect(canListPupils(staff(['office']))).toBe(true);
    for (const r of ['governor', 'volunteer', 'ict_technician'])
      expect(canListPupils(staff([r]))).toBe(false);
    expect(canListPupils({ kind: 'parent', id: 'p', schoolId: 's1', name: 'P' })).toBe(false);
  });

  it('limits imports to Headteacher, DPO and office', () => {
    expect(canImportPupils(staff(['teacher']))).toBe(false);
    expect(canImportPupils(staff(['dpo']))).toBe(true);
  });

  it('never shows a pupil of another school, and parents only their own children', () => {
    const pupil = { id: 'c1', schoolId: 's1' };
    expect(canViewPupilRecord(staff(['headteacher'], 's2'), pupil, false)).toBe(false);
    expect(
      canViewPupilRecord({ kind: 'parent', id: 'p', schoolId: 's1', name: 'P' }, pupil, false),
    ).toBe(false);
    expect(
      canViewPupilRecord({ kind: 'parent', id: 'p', schoolId: 's1', name: 'P' }, pupil, true),
    ).toBe(true);
    expect(
      canViewPupilRecord({ kind: 'pupil', id: 'c1', schoolId: 's1', name: 'C' }, pupil, false),
    ).toBe(true);
    expect(
      canViewPupilRecord({ kind: 'pupil', id: 'c2', schoolId: 's1', name: 'C' }, pupil, false),
    ).toBe(false);
    expect(
      canViewPupilRecord(
        { kind: 'org_admin', id: 'o', organisationId: 'o1', name: 'O' },
        pupil,
        false,
      ),
    ).toBe(false);
  });
});
