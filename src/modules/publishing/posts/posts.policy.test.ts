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
} from './posts.policy.ts';

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
  canApprovePosts(p, 'headteacher'),
  canApprovePosts(p, 'dsl'),
  canSeeAllPosts(p, 'headteacher'),
  canSeePost(p, othersPending, 'headteacher'),
  canEditPost(p, own),
  canDecidePost(p, othersPending, 'headteacher'),
  canDecidePost(p, ownPending, 'headteacher'),
  canPublishPost(p, othersApproved, 'headteacher'),
];

describe('posts policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents, pupils and organisation admins nothing', () => {
    for (const p of others) expect(answers(p)).toEqual(Array(10).fill(false));
  });

  it('lets nobody approve their own post, even the approver', () => {
    expect(canDecidePost(staff('headteacher'), ownPending, 'headteacher')).toBe(false);
  });

  it('lets the author edit only drafts and returned posts', () => {
    const t = staff('teacher');
    expect(canEditPost(t, { authorId: 'st1', status: 'returned' })).toBe(true);
    for (const status of ['pending', 'approved', 'published', 'expired'])
      expect(canEditPost(t, { authorId: 'st1', status })).toBe(false);
  });
});
