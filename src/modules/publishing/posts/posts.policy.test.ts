import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../../auth/index.ts';
import { others, staff } from '../../../../test/support/policy-principals.ts';
import {
  canApprovePosts,
  canDecidePost,
  canDraftPosts,
  canEditPost,
  canPublishPost,
  canSeeAllPosts,
  canSeePost,
  mayReachPostApproval,
  type PostApprover,
} from './posts.policy.ts';

const head: PostApprover = { role: 'headteacher', byResponsibility: false };
const dsl: PostApprover = { role: 'dsl', byResponsibility: false };

const own = { authorId: 'st1', status: 'draft' };
const othersPending = { authorId: 'someone-else', status: 'pending' };
const ownPending = { authorId: 'st1', status: 'pending' };
const othersApproved = { authorId: 'someone-else', status: 'approved' };

// draft, reach approval, approve (approver: Headteacher), approve (approver: DSL), see all,
// see someone else's pending post, edit own draft, decide someone else's pending post,
// decide own pending post, publish someone else's approved post
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true, true, false, true, true, true, true, false, true]],
  ['dsl', [true, true, false, true, false, false, true, false, false, false]],
  ['dpo', [true, true, false, false, true, true, true, false, false, false]],
  ['business_manager', [true, true, false, false, false, false, true, false, false, false]],
  ['office', [true, true, false, false, false, false, true, false, false, false]],
  ['ict_technician', [true, true, false, false, false, false, true, false, false, false]],
  ['teacher', [true, true, false, false, false, false, true, false, false, false]],
  ['support_staff', [true, true, false, false, false, false, true, false, false, false]],
  ['volunteer', [false, true, false, false, false, false, false, false, false, false]],
  ['governor', [false, true, false, false, false, false, false, false, false, false]],
];
const answers = (p: Principal) => [
  canDraftPosts(p),
  mayReachPostApproval(p),
  canApprovePosts(p, head),
  canApprovePosts(p, dsl),
  canSeeAllPosts(p, head),
  canSeePost(p, othersPending, head),
  canEditPost(p, own),
  canDecidePost(p, othersPending, head),
  canDecidePost(p, ownPending, head),
  canPublishPost(p, othersApproved, head),
];

describe('posts policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents, pupils and organisation admins nothing', () => {
    for (const p of others) expect(answers(p)).toEqual(Array(10).fill(false));
  });

  it('lets nobody approve their own post, even the approver', () => {
    expect(canDecidePost(staff('headteacher'), ownPending, head)).toBe(false);
  });

  it('lets a holder of an approver responsibility (roles.approverResponsibilities) approve', () => {
    const teacher = staff('teacher');
    const holder: PostApprover = { role: 'headteacher', byResponsibility: true };
    expect(canApprovePosts(teacher, holder)).toBe(true);
    expect(canSeeAllPosts(teacher, holder)).toBe(true);
    expect(canDecidePost(teacher, othersPending, holder)).toBe(true);
    expect(canDecidePost(teacher, ownPending, holder)).toBe(false);
    expect(canPublishPost(teacher, othersApproved, holder)).toBe(true);
    // Without the responsibility, the same teacher approves nothing.
    expect(canApprovePosts(teacher, head)).toBe(false);
    // A responsibility is for staff: nobody else approves by it.
    for (const p of others) expect(canApprovePosts(p, holder)).toBe(false);
  });

  it('lets the author edit only drafts and returned posts', () => {
    const t = staff('teacher');
    expect(canEditPost(t, { authorId: 'st1', status: 'returned' })).toBe(true);
    for (const status of ['pending', 'approved', 'published', 'expired'])
      expect(canEditPost(t, { authorId: 'st1', status })).toBe(false);
  });
});
