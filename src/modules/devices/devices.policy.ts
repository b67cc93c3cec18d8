import { hasRole, isStaff, type Principal } from '../auth/index.ts';
import type { PolicyRole } from '../policies/index.ts';

/**
 * Who may do what with the device register (SPEC §3.3). Pure functions; deny by default.
 * The approver is a profile setting (`roles.deviceApproverRole`, the Headteacher in every
 * template, and the holders of `roles.deviceApproverResponsibilities`), so the approval routes let any member of staff in and the handler asks
 * `canApproveDevices` with the school's current setting; anyone else gets a 404.
 */

/** Staff who take photos need to see which devices are approved; the ICT Technician keeps it. */
export const canViewDevices = (p: Principal): boolean =>
  hasRole(
    p,
    'headteacher',
    'dsl',
    'dpo',
    'business_manager',
    'office',
    'ict_technician',
    'teacher',
    'support_staff',
  );

/** The ICT Technician registers school devices (SPEC §1). */
export const canRegisterDevices = (p: Principal): boolean => hasRole(p, 'ict_technician');

/** Route gate for approval actions: any member of staff; the handler then checks the profile. */
export const mayReachDeviceApproval = (p: Principal): boolean => isStaff(p);

/**
 * The profile's device approver (`roles.deviceApproverRole`) approves and withdraws devices, and
 * so does a member of staff who holds one of its `roles.deviceApproverResponsibilities` now
 * (`byResponsibility`, looked up by DevicesService.approverFor).
 */
export function canApproveDevices(
  p: Principal,
  approverRole: PolicyRole,
  byResponsibility = false,
): boolean {
  return hasRole(p, approverRole) || (isStaff(p) && byResponsibility);
}
