import { describe, expect, it } from 'vitest';
import { staffRoles, type Principal, type StaffRole } from '../auth/index.ts';
import { canHandleSubjectAccess, canViewSubjectAccess } from './subject-access.policy.ts';

const staff = (role: StaffRole): Principal =>
  ({ kind: 'staff', id: 's', schoolId: 'x', roles: [role] }) as unknown as Principal;

describe('subject access policy', () => {
  const table: Record<StaffRole, { handle: boolean; view: boolean }> = {
    headteacher: { handle: false, view: true },
    dsl: { handle: false, view: false },
    dpo: { handle: true, view: true },
    business_manager: { handle: false, view: false },
    office: { handle: false, view: false },
    ict_technician: { handle: false, view: false },
    teacher: { handle: false, view: false },
    support_staff: { handle: false, view: false },
    volunteer: { handle: false, view: false },
    governor: { handle: false, view: false },
  };
  it.each(staffRoles)('%s', (role) => {
    expect(canHandleSubjectAccess(staff(role))).toBe(table[role].handle);
    expect(canViewSubjectAccess(staff(role))).toBe(table[role].view);
  });
  it('parents, pupils and nobody may not', () => {
    for (const p of [
      { kind: 'parent', id: 'p', schoolId: 'x' },
      { kind: 'pupil', id: 'q', schoolId: 'x' },
      null,
    ] as unknown as Principal[]) {
      expect(canHandleSubjectAccess(p)).toBe(false);
      expect(canViewSubjectAccess(p)).toBe(false);
    }
  });
});
