import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { canViewAudit } from './audit.policy.ts';

const staff = (roles: StaffRole[]): Principal => ({
  kind: 'staff',
  id: 'st1',
  schoolId: 's1',
  roles,
  name: 'Staff',
});

const table: [StaffRole, boolean][] = [
  ['headteacher', true],
  ['dsl', false],
  ['dpo', true],
  ['business_manager', false],
  ['office', false],
  ['ict_technician', false],
  ['teacher', false],
  ['support_staff', false],
  ['volunteer', false],
  ['governor', false],
];

describe('audit policy', () => {
  it.each(table)('a %s may see the audit log: %s', (role, expected) => {
    expect(canViewAudit(staff([role]))).toBe(expected);
  });

  it('counts any one of several roles', () => {
    expect(canViewAudit(staff(['teacher', 'dpo']))).toBe(true);
    expect(canViewAudit(staff([]))).toBe(false);
  });

  it('never lets parents, pupils or organisation admins in', () => {
    expect(canViewAudit({ kind: 'parent', id: 'pa1', schoolId: 's1', name: 'P' })).toBe(false);
    expect(canViewAudit({ kind: 'pupil', id: 'pu1', schoolId: 's1', name: 'P' })).toBe(false);
    expect(canViewAudit({ kind: 'org_admin', id: 'o1', organisationId: 'org1', name: 'A' })).toBe(
      false,
    );
  });
});
