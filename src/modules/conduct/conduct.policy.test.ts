import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import { lanyardDefaults, sacredHeartTemplate, type PolicySettings } from '../policies/index.ts';
import {
  canDecidePermission,
  canRecordFiltering,
  canReviewDeclarations,
  canSeeDeclaration,
  canSeePermission,
  canSignOffPermission,
  canRespondToDeclaration,
  canUseConduct,
  canViewFiltering,
  decidesOwnKind,
  declarationKindsOffered,
  declarationReviewerFor,
  deciderRoleFor,
} from './conduct.policy.ts';

const headDecides = {
  enabled: true,
  grantedBy: 'headteacher' as const,
  ictSignOff: true,
  expiresAfterDays: 365,
};
const parentDecides = {
  enabled: true,
  grantedBy: 'parent' as const,
  ictSignOff: false,
  expiresAfterDays: 90,
};

// use, review (reviewer: Headteacher), decide (Head type), decide (parent type), sign off
// (ICT role: ICT Technician), see another's declaration, see another's permission, view
// filtering (ICT: ICT Technician), record filtering
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true, true, false, false, true, true, true, false]],
  ['dsl', [true, false, false, false, false, false, false, true, false]],
  ['dpo', [true, false, false, false, false, false, false, false, false]],
  ['business_manager', [true, false, false, false, false, false, false, false, false]],
  ['office', [true, false, false, false, false, false, false, false, false]],
  ['ict_technician', [true, false, false, false, true, false, true, true, true]],
  ['teacher', [true, false, false, false, false, false, false, false, false]],
  ['support_staff', [true, false, false, false, false, false, false, false, false]],
  ['volunteer', [true, false, false, false, false, false, false, false, false]],
  ['governor', [true, false, false, false, false, false, false, false, false]],
];
const someoneElse = { staffId: 'another-person' };
const answers = (p: Principal) => [
  canUseConduct(p),
  canReviewDeclarations(p, 'headteacher'),
  canDecidePermission(p, someoneElse, 'headteacher'),
  canDecidePermission(p, someoneElse, 'parent'),
  canSignOffPermission(p, headDecides, 'ict_technician'),
  canSeeDeclaration(p, someoneElse, 'headteacher'),
  canSeePermission(p, someoneElse, headDecides, 'ict_technician', 'headteacher'),
  canViewFiltering(p, 'ict_technician'),
  canRecordFiltering(p, 'ict_technician'),
];

describe('conduct policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('gives parents, pupils and organisation admins nothing', () => {
    for (const p of others) expect(answers(p)).toEqual(Array(9).fill(false));
  });

  it('lets people see their own declarations and requests, and follows the profile’s roles', () => {
    const teacher = staff('teacher');
    expect(canSeeDeclaration(teacher, { staffId: 'st1' }, 'headteacher')).toBe(true);
    expect(
      canSeePermission(teacher, { staffId: 'st1' }, headDecides, 'ict_technician', 'headteacher'),
    ).toBe(true);
    // A school whose reviewer is the DSL, or whose ICT role is the Business Manager.
    expect(canReviewDeclarations(staff('dsl'), 'dsl')).toBe(true);
    expect(canReviewDeclarations(staff('headteacher'), 'dsl')).toBe(false);
    expect(canSignOffPermission(staff('business_manager'), headDecides, 'business_manager')).toBe(
      true,
    );
    // No sign-off for a type that does not need one.
    expect(
      canSignOffPermission(
        staff('ict_technician'),
        { ...headDecides, ictSignOff: false },
        'ict_technician',
      ),
    ).toBe(false);
  });

  it('offers only the declarations the profile asks for', () => {
    expect(declarationKindsOffered(sacredHeartTemplate.settings)).toEqual([
      'friend_request',
      'social_contact',
      'online_presence',
    ]);
    const none: PolicySettings = structuredClone(lanyardDefaults);
    none.conduct.friendRequestsMustBeDeclared.value = false;
    none.conduct.socialContactMustBeDeclared.value = false;
    none.conduct.newStarterOnlinePresenceCheck.value = false;
    expect(declarationKindsOffered(none)).toEqual([]);
    none.conduct.regularOnlinePresenceCheck.value = true;
    expect(declarationKindsOffered(none)).toEqual(['online_presence']);
  });

  describe('nobody decides their own request', () => {
    const dslDecides = { ...headDecides, grantedBy: 'dsl' as const };
    const fallbacks = ['headteacher', 'governor'] as const;
    const withId = (role: StaffRole, id: string): Principal => ({ ...staff(role), id });

    // Who decides a request, by the roles of the person asking: written out by hand.
    it.each([
      [headDecides, ['teacher'], 'headteacher'],
      [headDecides, ['headteacher'], 'governor'],
      [headDecides, ['headteacher', 'governor'], null],
      [dslDecides, ['teacher'], 'dsl'],
      [dslDecides, ['dsl'], 'headteacher'],
      [dslDecides, ['dsl', 'headteacher'], 'governor'],
      [parentDecides, ['headteacher'], 'parent'],
    ] as const)('%o asked by %o is decided by %s', (type, roles, expected) => {
      expect(deciderRoleFor(type, roles, fallbacks)).toBe(expected);
    });

    it('follows the profile’s list, and an empty one leaves nobody', () => {
      expect(deciderRoleFor(dslDecides, ['dsl'], ['dpo'])).toBe('dpo');
      expect(deciderRoleFor(dslDecides, ['dsl'], [])).toBeNull();
    });

    it('refuses the person who asked, even holding the deciding role, but lets them see it', () => {
      const head = withId('headteacher', 'h1');
      const own = { staffId: 'h1' };
      expect(canDecidePermission(head, own, 'headteacher')).toBe(false);
      expect(canDecidePermission(head, { staffId: 'other' }, 'headteacher')).toBe(true);
      expect(canSeePermission(head, own, headDecides, 'ict_technician', 'governor')).toBe(true);
      expect(decidesOwnKind(head, own, headDecides)).toBe(true);
      expect(decidesOwnKind(head, own, dslDecides)).toBe(false);
      // The governor decides the Headteacher's request; a governor's own is not theirs to decide.
      expect(canDecidePermission(withId('governor', 'g1'), own, 'governor')).toBe(true);
      expect(canDecidePermission(withId('governor', 'g1'), { staffId: 'g1' }, 'governor')).toBe(
        false,
      );
      // Another school's Headteacher has no role here to decide with (nothing without a role).
      expect(canDecidePermission(staff('teacher'), { staffId: 'x' }, 'headteacher')).toBe(false);
      expect(canDecidePermission(head, { staffId: 'x' }, null)).toBe(false);
      for (const p of others)
        expect(canDecidePermission(p, { staffId: 'x' }, 'headteacher')).toBe(false);
    });
  });

  describe('nobody reads their own declaration', () => {
    const fallbacks = ['headteacher', 'governor'] as const;
    const withId = (role: StaffRole, id: string): Principal => ({ ...staff(role), id });

    // Who reads a declaration, by the roles of the person who made it: written out by hand.
    it.each([
      [['teacher'], 'headteacher', 'headteacher'],
      [['headteacher'], 'headteacher', 'governor'],
      [['headteacher', 'governor'], 'headteacher', null],
      [['teacher'], 'dsl', 'dsl'],
      [['dsl'], 'dsl', 'headteacher'],
      [['dsl', 'headteacher'], 'dsl', 'governor'],
    ] as const)('made by %o with reviewer %s is read by %s', (roles, reviewer, expected) => {
      expect(declarationReviewerFor(roles, reviewer, fallbacks)).toBe(expected);
    });

    it('follows the profile’s list, and an empty one leaves nobody', () => {
      expect(declarationReviewerFor(['dsl'], 'dsl', ['dpo'])).toBe('dpo');
      expect(declarationReviewerFor(['dsl'], 'dsl', [])).toBeNull();
    });

    it('lets the reader respond, never the person who made it, and lets the reader see it', () => {
      const head = withId('headteacher', 'h1');
      const governor = withId('governor', 'g1');
      const headsOwn = { staffId: 'h1' };
      expect(canRespondToDeclaration(head, headsOwn, 'governor')).toBe(false);
      expect(canRespondToDeclaration(head, headsOwn, 'headteacher')).toBe(false);
      expect(canRespondToDeclaration(governor, headsOwn, 'governor')).toBe(true);
      expect(canSeeDeclaration(governor, headsOwn, 'headteacher', 'governor')).toBe(true);
      expect(canSeeDeclaration(head, headsOwn, 'headteacher', 'governor')).toBe(true);
      // A governor reads only the declarations passed to them, not a teacher's.
      expect(canSeeDeclaration(governor, { staffId: 't1' }, 'headteacher', 'headteacher')).toBe(
        false,
      );
      expect(canRespondToDeclaration(head, { staffId: 't1' }, 'headteacher')).toBe(true);
      expect(canRespondToDeclaration(head, { staffId: 't1' }, null)).toBe(false);
      for (const p of others) {
        expect(canRespondToDeclaration(p, { staffId: 'x' }, 'headteacher')).toBe(false);
        expect(canSeeDeclaration(p, { staffId: 'x' }, 'headteacher', 'governor')).toBe(false);
      }
    });
  });
});
