/** Staff roles (SPEC §1). A person may hold several in one school. */
export const staffRoles = [
  'headteacher',
  'dsl',
  'dpo',
  'business_manager',
  'office',
  'ict_technician',
  'teacher',
  'support_staff',
  'volunteer',
  'governor',
] as const;
export type StaffRole = (typeof staffRoles)[number];

export const roleLabels: Record<StaffRole, string> = {
  headteacher: 'Headteacher',
  dsl: 'Designated Safeguarding Lead',
  dpo: 'Data Protection Officer',
  business_manager: 'Business Manager',
  office: 'Office staff',
  ict_technician: 'ICT Technician',
  teacher: 'Teacher',
  support_staff: 'Support staff',
  volunteer: 'Volunteer',
  governor: 'Governor',
};

/** Roles that must use a second factor (SPEC §4). */
export const secondFactorRoles: readonly StaffRole[] = ['headteacher', 'dsl', 'dpo'];

export type Principal =
  | { kind: 'staff'; id: string; schoolId: string; roles: StaffRole[]; name: string }
  | { kind: 'parent'; id: string; schoolId: string; name: string }
  | { kind: 'pupil'; id: string; schoolId: string; name: string }
  | { kind: 'org_admin'; id: string; organisationId: string; name: string };

export type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;

export function isStaff(p: Principal | null | undefined): p is StaffPrincipal {
  return p?.kind === 'staff';
}

export function hasRole(
  p: Principal | null | undefined,
  ...roles: StaffRole[]
): p is StaffPrincipal {
  return isStaff(p) && p.roles.some((r) => roles.includes(r));
}

export function schoolOf(p: Principal): string | null {
  return p.kind === 'org_admin' ? null : p.schoolId;
}
