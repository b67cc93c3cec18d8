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
  canUseConduct,
  canViewFiltering,
  declarationKindsOffered,
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
  canDecidePermission(p, headDecides),
  canDecidePermission(p, parentDecides),
  canSignOffPermission(p, headDecides, 'ict_technician'),
  canSeeDeclaration(p, someoneElse, 'headteacher'),
  canSeePermission(p, someoneElse, headDecides, 'ict_technician'),
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
    expect(canSeePermission(teacher, { staffId: 'st1' }, headDecides, 'ict_technician')).toBe(true);
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
});
