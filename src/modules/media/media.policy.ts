import { hasRole, isStaff, type Principal } from '../auth/index.ts';
import type { PolicyRole } from '../policies/index.ts';

/**
 * Who may do what in the media library (SPEC §3.4). Pure functions; deny by default. Parents,
 * pupils, governors, volunteers and organisation admins see nothing of it; another school's
 * item is a 404 (the service looks items up by the signed-in person's school only).
 */

/** Staff who take photos: they upload, tag, and produce publishable renditions. */
export const canUseMediaLibrary = (p: Principal): boolean =>
  hasRole(p, 'headteacher', 'dsl', 'dpo', 'business_manager', 'office', 'teacher', 'support_staff');

export const canUploadMedia = canUseMediaLibrary;
export const canTagMedia = canUseMediaLibrary;

/**
 * Route gate for quarantine review: any member of staff reaches the handler, which asks
 * `canReviewQuarantine` with the profile's device approver (`roles.deviceApproverRole`) and 404s everyone else.
 */
export const mayReachQuarantine = (p: Principal): boolean => isStaff(p);

/**
 * The device approver (the Headteacher by default, and the holders of the profile's
 * `roles.deviceApproverResponsibilities`: `byResponsibility`) reviews quarantined media and
 * deletes items.
 */
export function canReviewQuarantine(
  p: Principal,
  approverRole: PolicyRole,
  byResponsibility = false,
): boolean {
  return hasRole(p, approverRole) || (isStaff(p) && byResponsibility);
}

/** The retention job's reports: the Headteacher and the Data Protection Officer. */
export const canViewRetentionReports = (p: Principal): boolean => hasRole(p, 'headteacher', 'dpo');
