import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { PupilScope, pupilScopeKind } from './pupil-scope.ts';
import { canListPupils, isClassScoped } from './people.policy.ts';

const staff = (roles: StaffRole[], schoolId = 's1'): Principal => ({
  kind: 'staff',
  id: 'x',
  schoolId,
  roles,
  name: 'X',
});

describe('the pupil scope (one rule for every read of pupils)', () => {
  it('gives school-wide roles the whole school, class roles their classes, others nobody', () => {
    for (const r of ['headteacher', 'dsl', 'dpo', 'business_manager', 'office'] as const)
      expect(pupilScopeKind(staff([r])), r).toBe('school');
    for (const r of ['teacher', 'support_staff'] as const)
      expect(pupilScopeKind(staff([r])), r).toBe('classes');
    for (const r of ['ict_technician', 'volunteer', 'governor'] as const)
      expect(pupilScopeKind(staff([r])), r).toBe('none');
    // A school-wide role wins over a class role.
    expect(pupilScopeKind(staff(['teacher', 'dsl']))).toBe('school');
    expect(pupilScopeKind({ kind: 'parent', id: 'p', schoolId: 's1', name: 'P' })).toBe('none');
    expect(pupilScopeKind({ kind: 'org_admin', id: 'o', organisationId: 'o', name: 'O' })).toBe(
      'none',
    );
  });

  it('is what the people policy asks (canListPupils, isClassScoped)', () => {
    for (const roles of [['teacher'], ['office'], ['governor'], ['teacher', 'dpo']] as const) {
      const p = staff([...roles]);
      expect(canListPupils(p)).toBe(pupilScopeKind(p) !== 'none');
      expect(isClassScoped(p)).toBe(pupilScopeKind(p) === 'classes');
    }
  });

  it('lets a teacher see pupils of their assigned classes only, and nobody without classes', () => {
    const scope = PupilScope.of(staff(['teacher']), ['4 Oak', '5 Ash']);
    expect(scope.includes({ schoolId: 's1', className: '4 Oak' })).toBe(true);
    expect(scope.includes({ schoolId: 's1', className: '3 Elm' })).toBe(false);
    expect(scope.includes({ schoolId: 's1', className: null })).toBe(false);
    expect(scope.includes({ schoolId: 's2', className: '4 Oak' })).toBe(false);
    expect(scope.classFilter).toEqual(['4 Oak', '5 Ash']);
    const none = PupilScope.of(staff(['teacher']), []);
    expect(none.includes({ className: '4 Oak' })).toBe(false);
    expect(none.classFilter).toEqual([]);
  });

  it('lets school-wide staff see every pupil of their school, class or none', () => {
    const scope = PupilScope.of(staff(['office', 'teacher']), ['4 Oak']);
    expect(scope.wholeSchool).toBe(true);
    expect(scope.classFilter).toBeNull();
    expect(scope.ownClasses).toEqual(['4 Oak']);
    expect(scope.includes({ schoolId: 's1', className: null })).toBe(true);
    expect(scope.includes({ schoolId: 's2', className: '4 Oak' })).toBe(false);
  });

  it('shows nobody to governors, parents or organisation admins', () => {
    for (const p of [
      staff(['governor']),
      { kind: 'parent', id: 'p', schoolId: 's1', name: 'P' } as Principal,
      { kind: 'org_admin', id: 'o', organisationId: 'o', name: 'O' } as Principal,
    ]) {
      const scope = PupilScope.of(p, ['4 Oak']);
      expect(scope.kind).toBe('none');
      expect(scope.includes({ className: '4 Oak' })).toBe(false);
    }
  });
});
