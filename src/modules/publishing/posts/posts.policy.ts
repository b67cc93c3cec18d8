import { hasRole, isStaff, type Principal } from '../../auth/index.ts';
import type { PolicyRole } from '../../policies/index.ts';

/**
 * Who may do what with posts (SPEC §3.5). Pure functions; deny by default. The approver is a
 * profile setting (`roles.approverRole`, the Headteacher in every template), and the holders of
 * the responsibilities the profile names (`roles.approverResponsibilities`): the approval routes
 * let any member of staff in and the handler asks `canApprovePosts` with the school's current
 * setting and what the person holds; anyone else gets a 404. Nobody approves their own post
 * (`isOwnPost`).
 *
 * Who drafts is a profile setting too (`publishing.draftingRoles`): the posts routes let any
 * member of staff in (`mayReachPosts`) and ask the school's list (`config.schoolAccess`, or the
 * service before it acts); a member of staff whose role the list leaves out gets a 404.
 */

/**
 * The approver, for one person: the profile's role, and whether this person holds one of the
 * profile's approver responsibilities now (PostsService.approverFor looks it up).
 */
export interface PostApprover {
  role: PolicyRole;
  byResponsibility: boolean;
}

/** A post's fields the policy needs. */
export interface PostOwnership {
  authorId: string;
  status: string;
}

/** Route gate for the posts pages: any member of staff; the handler checks the profile. */
export const mayReachPosts = (p: Principal): boolean => isStaff(p);

/** Staff whose role the profile lets draft posts (`publishing.draftingRoles`). */
export function canDraftPosts(p: Principal, draftingRoles: readonly PolicyRole[]): boolean {
  return hasRole(p, ...draftingRoles);
}

/** Route gate for the approver's actions: any member of staff; the handler checks the profile. */
export const mayReachPostApproval = (p: Principal): boolean => isStaff(p);

/** The profile's approver (`roles.approverRole`, or a holder of `roles.approverResponsibilities`). */
export function canApprovePosts(p: Principal, approver: PostApprover): boolean {
  return hasRole(p, approver.role) || (isStaff(p) && approver.byResponsibility);
}

/** The approver, the Headteacher and the DPO see every post; others see their own. */
export function canSeeAllPosts(p: Principal, approver: PostApprover): boolean {
  return canApprovePosts(p, approver) || hasRole(p, 'headteacher', 'dpo');
}

/** The posts list (and its menu entry): those who may draft, and those who see every post. */
export function canOpenPosts(
  p: Principal,
  draftingRoles: readonly PolicyRole[],
  approver: PostApprover,
): boolean {
  return canDraftPosts(p, draftingRoles) || canSeeAllPosts(p, approver);
}

export function isOwnPost(p: Principal, post: PostOwnership): boolean {
  return isStaff(p) && post.authorId === p.id;
}

export function canSeePost(p: Principal, post: PostOwnership, approver: PostApprover): boolean {
  return isOwnPost(p, post) || canSeeAllPosts(p, approver);
}

/**
 * Only the author changes a post, only while it is a draft or returned, and only while the
 * profile still lets their role draft.
 */
export function canEditPost(
  p: Principal,
  post: PostOwnership,
  draftingRoles: readonly PolicyRole[],
): boolean {
  return (
    canDraftPosts(p, draftingRoles) &&
    isOwnPost(p, post) &&
    ['draft', 'returned'].includes(post.status)
  );
}

/** The approver decides on someone else's pending post, never their own. */
export function canDecidePost(p: Principal, post: PostOwnership, approver: PostApprover): boolean {
  return canApprovePosts(p, approver) && !isOwnPost(p, post) && post.status === 'pending';
}

/** An approved post can be sent now by its author or the approver. */
export function canPublishPost(p: Principal, post: PostOwnership, approver: PostApprover): boolean {
  return post.status === 'approved' && (isOwnPost(p, post) || canApprovePosts(p, approver));
}
