import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canBookParentSessions,
  canManageTraining,
  canMarkAnyClass,
  canMarkClassLessons,
  canViewTraining,
} from './training.policy.ts';

// view, manage, mark class lessons, mark any class, book parents' sessions
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true, true, true, false]],
  ['dsl', [true, true, true, true, false]],
  ['dpo', [true, false, false, false, false]],
  ['business_manager', [true, true, true, true, false]],
  ['office', [true, false, false, false, false]],
  ['ict_technician', [true, false, false, false, false]],
  ['teacher', [true, false, true, false, false]],
  ['support_staff', [true, false, false, false, false]],
  ['volunteer', [true, false, false, false, false]],
  ['governor', [true, false, false, false, false]],
];
const answers = (p: Principal) => [
  canViewTraining(p),
  canManageTraining(p),
  canMarkClassLessons(p),
  canMarkAnyClass(p),
  canBookParentSessions(p),
];

describe('training policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('lets a parent book and nothing else; pupils and organisation admins nothing', () => {
    const [parent, pupil, admin] = others;
    expect(answers(parent!)).toEqual([false, false, false, false, true]);
    expect(answers(pupil!)).toEqual([false, false, false, false, false]);
    expect(answers(admin!)).toEqual([false, false, false, false, false]);
  });
});
