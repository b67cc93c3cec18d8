import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../../auth/index.ts';
import { lanyardDefaults, type PolicyRole } from '../../policies/index.ts';
import { others, staff } from '../../../../test/support/policy-principals.ts';
import {
  canApprovePosts,
  canDecidePost,
  canDraftPosts,
  canEditPost,
  canOpenPosts,
  canPublishPost,
  canSeeAllPosts,
  canSeePost,
  mayReachPostApproval,
  mayReachPosts,
  type PostApprover,
} from './posts.policy.ts';

const head: PostApprover = { role: 'headteacher', byResponsibility: false };
/** Lanyard's default `publishing.draftingRoles` (every template but one takes it). */
const drafters = lanyardDefaults.publishing.draftingRoles.value;
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
  canDraftPosts(p, drafters),
  mayReachPostApproval(p),
  canApprovePosts(p, head),
  canApprovePosts(p, dsl),
  canSeeAllPosts(p, head),
  canSeePost(p, othersPending, head),
  canEditPost(p, own, drafters),
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
    expect(canEditPost(t, { authorId: 'st1', status: 'returned' }, drafters)).toBe(true);
    for (const status of ['pending', 'approved', 'published', 'expired'])
      expect(canEditPost(t, { authorId: 'st1', status }, drafters)).toBe(false);
  });

  it('drafts by default with the roles that drafted before the rule was a setting', () => {
    // Spelled out: the default keeps what every school had (volunteers and governors left out).
    expect([...drafters].sort()).toEqual(
      [
        'business_manager',
        'dpo',
        'dsl',
        'headteacher',
        'ict_technician',
        'office',
        'support_staff',
        'teacher',
      ].sort(),
    );
  });

  it('lets a role draft only while the profile lists it (publishing.draftingRoles)', () => {
    const teacher = staff('teacher');
    const onlyHead: PolicyRole[] = ['headteacher'];
    expect(canDraftPosts(teacher, drafters)).toBe(true);
    expect(canDraftPosts(teacher, onlyHead)).toBe(false);
    expect(canDraftPosts(staff('headteacher'), onlyHead)).toBe(true);
    // The teacher's own draft is no longer theirs to change, and the list is not theirs to open.
    expect(canEditPost(teacher, own, onlyHead)).toBe(false);
    expect(canOpenPosts(teacher, onlyHead, head)).toBe(false);
    expect(canOpenPosts(teacher, drafters, head)).toBe(true);
    // The approver still opens the list to approve, though the profile does not let them draft.
    expect(canOpenPosts(staff('dsl'), onlyHead, dsl)).toBe(true);
    expect(canDraftPosts(staff('dsl'), onlyHead)).toBe(false);
    // A role Lanyard leaves out by default drafts where the school's profile lists it.
    expect(canDraftPosts(staff('volunteer'), drafters)).toBe(false);
    expect(canDraftPosts(staff('volunteer'), [...drafters, 'volunteer'])).toBe(true);
    // An empty list (the schema refuses one) would let nobody draft.
    expect(canDraftPosts(staff('headteacher'), [])).toBe(false);
    // Nobody but staff, whatever the list.
    const every = [...drafters, 'volunteer', 'governor'] as PolicyRole[];
    for (const p of others) {
      expect(canDraftPosts(p, every)).toBe(false);
      expect(canOpenPosts(p, every, head)).toBe(false);
    }
  });

  it('lets every member of staff reach the posts routes, and nobody else', () => {
    for (const [role] of table) expect(mayReachPosts(staff(role))).toBe(true);
    for (const p of others) expect(mayReachPosts(p)).toBe(false);
  });
});
