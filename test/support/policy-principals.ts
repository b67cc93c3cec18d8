import type { Principal, StaffRole } from '../../src/modules/auth/principal.ts';

/** Principals for the policy files' role-table unit tests. */

/** A member of staff of school s1 holding exactly one role. */
export const staff = (role: StaffRole): Principal => ({
  kind: 'staff',
  id: 'st1',
  schoolId: 's1',
  roles: [role],
  name: 'Staff',
});

/** Everyone who is not staff: a parent, a pupil and a trust admin. */
export const others: Principal[] = [
  { kind: 'parent', id: 'pa1', schoolId: 's1', name: 'Parent' },
  { kind: 'pupil', id: 'pu1', schoolId: 's1', name: 'Pupil' },
  { kind: 'org_admin', id: 'o1', organisationId: 'org1', name: 'Admin' },
];
