import { hasRole, isStaff, type Principal } from '../../auth/index.ts';
import type { PolicyRole } from '../../policies/index.ts';

/**
 * Who may do what with posts (SPEC §3.5). Pure functions; deny by default. The approver is a
 * profile setting (`roles.approverRole`, the Headteacher in every template): the approval routes
 * let any member of staff in and the handler asks `canApprovePosts` with the school's current
 * setting; anyone else gets a 404. Nobody approves their own post (`isOwnPost`).
 */

/** A post's fields the policy needs. */
export interface PostOwnership {
  authorId: string;
  status: string;
}

/** Staff who draft posts (volunteers and governors do not publish for the school). */
export const canDraftPosts = (p: Principal): boolean =>
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

/** Route gate for the approver's actions: any member of staff; the handler checks the profile. */
export const mayReachPostApproval = (p: Principal): boolean => isStaff(p);

/** The profile's approver (`roles.approverRole`). */
export function canApprovePosts(p: Principal, approverRole: PolicyRole): boolean {
  return hasRole(p, approverRole);
}

/** The approver, the Headteacher and the DPO see every post; others see their own. */
export function canSeeAllPosts(p: Principal, approverRole: PolicyRole): boolean {
  return hasRole(p, approverRole, 'headteacher', 'dpo');
}

export function isOwnPost(p: Principal, post: PostOwnership): boolean {
  return isStaff(p) && post.authorId === p.id;
}

export function canSeePost(p: Principal, post: PostOwnership, approverRole: PolicyRole): boolean {
  return isOwnPost(p, post) || canSeeAllPosts(p, approverRole);
}

/** Only the author changes a post, and only while it is a draft or returned. */
export function canEditPost(p: Principal, post: PostOwnership): boolean {
  return canDraftPosts(p) && isOwnPost(p, post) && ['draft', 'returned'].includes(post.status);
}

/** The approver decides on someone else's pending post, never their own. */
export function canDecidePost(
  p: Principal,
  post: PostOwnership,
  approverRole: PolicyRole,
): boolean {
  return canApprovePosts(p, approverRole) && !isOwnPost(p, post) && post.status === 'pending';
}

/** An approved post can be sent now by its author or the approver. */
export function canPublishPost(
  p: Principal,
  post: PostOwnership,
  approverRole: PolicyRole,
): boolean {
  return post.status === 'approved' && (isOwnPost(p, post) || canApprovePosts(p, approverRole));
}
