import { describe, expect, it } from 'vitest';
import {
  canChangeStaffMember,
  canGrantRole,
  canImportPupils,
  canListPupils,
  canManagePupils,
  canManageStaff,
  canEditSchoolDetails,
  canViewPupilRecord,
} from './people.policy.ts';
import type { Principal } from '../auth/index.ts';

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

describe('managing people', () => {
  const parent: Principal = { kind: 'parent', id: 'p', schoolId: 's1', name: 'P' };
  const trust: Principal = { kind: 'org_admin', id: 'o', organisationId: 'o1', name: 'O' };

  it('lets the Headteacher, DPO and office manage pupils, nobody else', () => {
    for (const r of ['headteacher', 'dpo', 'office'])
      expect(canManagePupils(staff([r])), r).toBe(true);
    for (const r of [
      'dsl',
      'business_manager',
      'ict_technician',
      'teacher',
      'support_staff',
      'volunteer',
      'governor',
    ])
      expect(canManagePupils(staff([r])), r).toBe(false);
    expect(canManagePupils(parent)).toBe(false);
    expect(canManagePupils(trust)).toBe(false);
  });

  it('lets the Headteacher and Business Manager manage staff, nobody else', () => {
    expect(canManageStaff(staff(['headteacher']))).toBe(true);
    expect(canManageStaff(staff(['business_manager']))).toBe(true);
    for (const r of ['dsl', 'dpo', 'office', 'teacher', 'governor', 'volunteer'])
      expect(canManageStaff(staff([r])), r).toBe(false);
    expect(canManageStaff(parent)).toBe(false);
    expect(canManageStaff(trust)).toBe(false);
  });

  it('lets only the Headteacher change the school’s contact details', () => {
    expect(canEditSchoolDetails(staff(['headteacher']))).toBe(true);
    for (const r of ['business_manager', 'dsl', 'dpo', 'office', 'teacher', 'governor'])
      expect(canEditSchoolDetails(staff([r])), r).toBe(false);
    expect(canEditSchoolDetails(parent)).toBe(false);
    expect(canEditSchoolDetails(trust)).toBe(false);
  });

  it('keeps the Headteacher, DSL and DPO roles to the Headteacher', () => {
    for (const role of ['headteacher', 'dsl', 'dpo'] as const) {
      expect(canGrantRole(staff(['headteacher']), role)).toBe(true);
      expect(canGrantRole(staff(['business_manager']), role)).toBe(false);
    }
    expect(canGrantRole(staff(['business_manager']), 'teacher')).toBe(true);
    expect(canGrantRole(staff(['business_manager']), 'office')).toBe(true);
    expect(canGrantRole(staff(['office']), 'teacher')).toBe(false);
  });

  it('lets the Business Manager change only accounts without a safeguarding or data role', () => {
    const bm = staff(['business_manager']);
    expect(canChangeStaffMember(bm, { roles: ['teacher'] })).toBe(true);
    expect(canChangeStaffMember(bm, { roles: ['teacher', 'dsl'] })).toBe(false);
    expect(canChangeStaffMember(bm, { roles: ['headteacher'] })).toBe(false);
    expect(canChangeStaffMember(staff(['headteacher']), { roles: ['dpo'] })).toBe(true);
    expect(canChangeStaffMember(staff(['dpo']), { roles: ['teacher'] })).toBe(false);
  });
});
