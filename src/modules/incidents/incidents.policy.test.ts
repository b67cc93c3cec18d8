import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { others, staff } from '../../../test/support/policy-principals.ts';
import {
  canManageIncidents,
  canNameDeputies,
  canReportIncident,
  canReportThroughApi,
  canSeePupilChronology,
  caseAccess,
  mayOpenCase,
  mayReachCases,
  type CaseFacts,
} from './incidents.policy.ts';

// A case someone else (staff 'x9') reported, with st1 assigned and named a deputy or not.
const facts = (over: Partial<CaseFacts> = {}): CaseFacts => ({
  schoolId: 's1',
  safeguarding: false,
  reporterKind: 'staff',
  reporterId: 'x9',
  assignedStaffIds: [],
  deputyStaffIds: [],
  ...over,
});

// report, reach cases, manage, name deputies, pupil chronology,
// access to: a case of others, assigned ordinary case, safeguarding case assigned (not deputy),
// safeguarding case as named deputy, own report
const table: [StaffRole, unknown[]][] = [
  [
    'headteacher',
    [true, true, true, false, true, 'manage', 'manage', 'manage', 'manage', 'manage'],
  ],
  ['dsl', [true, true, true, true, true, 'manage', 'manage', 'manage', 'manage', 'manage']],
  ['dpo', [true, true, false, false, false, null, 'work', null, 'work', 'report']],
  ['business_manager', [true, true, false, false, false, null, 'work', null, 'work', 'report']],
  ['office', [true, true, false, false, false, null, 'work', null, 'work', 'report']],
  ['ict_technician', [true, true, false, false, false, null, 'work', null, 'work', 'report']],
  ['teacher', [true, true, false, false, false, null, 'work', null, 'work', 'report']],
  ['support_staff', [true, true, false, false, false, null, 'work', null, 'work', 'report']],
  ['volunteer', [true, false, false, false, false, null, null, null, null, 'report']],
  ['governor', [true, false, false, false, false, null, null, null, null, 'report']],
];

const answers = (p: Principal) => [
  canReportIncident(p),
  mayReachCases(p),
  canManageIncidents(p),
  canNameDeputies(p),
  canSeePupilChronology(p),
  caseAccess(p, facts()),
  caseAccess(p, facts({ assignedStaffIds: ['st1'] })),
  caseAccess(p, facts({ safeguarding: true, assignedStaffIds: ['st1'] })),
  caseAccess(p, facts({ safeguarding: true, deputyStaffIds: ['st1'] })),
  caseAccess(p, facts({ reporterId: 'st1', safeguarding: true })),
];

describe('incidents policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(answers(staff(role))).toEqual(expected);
  });

  it('lets parents and pupils report and see only their own reports', () => {
    const [parent, pupil, admin] = others;
    for (const p of [parent!, pupil!]) {
      expect(canReportIncident(p)).toBe(true);
      expect(mayReachCases(p)).toBe(false);
      expect(caseAccess(p, facts())).toBeNull();
      expect(caseAccess(p, facts({ reporterKind: p.kind, reporterId: p.id }))).toBe('report');
      // Same id, other kind of person: not theirs.
      expect(caseAccess(p, facts({ reporterKind: 'staff', reporterId: p.id }))).toBeNull();
    }
    expect(canReportIncident(admin!)).toBe(false);
    expect(caseAccess(admin!, facts())).toBeNull();
  });

  it('takes reports through the API from staff only (parents and pupils have no token)', () => {
    for (const [role] of table) expect(canReportThroughApi(staff(role))).toBe(true);
    for (const p of others) expect(canReportThroughApi(p)).toBe(false);
  });

  it('gives nothing across schools, even to the DSL', () => {
    expect(caseAccess(staff('dsl'), facts({ schoolId: 's2' }))).toBeNull();
    expect(caseAccess(staff('teacher'), facts({ schoolId: 's2', reporterId: 'st1' }))).toBeNull();
  });

  it('opens the case page for manage and work only', () => {
    expect(['manage', 'work', 'report', null].map((a) => mayOpenCase(a as never))).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
