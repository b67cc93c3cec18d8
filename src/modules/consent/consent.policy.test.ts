import { describe, expect, it } from 'vitest';
import type { Principal, StaffRole } from '../auth/index.ts';
import { staff } from '../../../test/support/policy-principals.ts';
import {
  canAssignConsentClasses,
  canCheckConsent,
  canExportConsent,
  canImportConsent,
  canManageConsent,
  canOpenConsent,
  canRecordConsent,
  canUseOwnConsentForm,
  canViewAllConsent,
  canManageConsentAs,
  canRecordConsentAs,
  canViewAllConsentAs,
  canAssessCompetenceAs,
  canImportConsentAs,
  canOpenConsentAs,
  isConsentRecordKeeper,
  mayOpenConsentOnlyAsKeeper,
  mayReachConsentKeeping,
  seesWholeConsentRegister,
} from './consent.policy.ts';

const parent: Principal = { kind: 'parent', id: 'pa1', schoolId: 's1', name: 'Parent' };
const pupil: Principal = { kind: 'pupil', id: 'pu1', schoolId: 's1', name: 'Pupil' };
const orgAdmin: Principal = { kind: 'org_admin', id: 'o1', organisationId: 'org1', name: 'Admin' };

// Expected answers per role, in this order:
// manage, record, viewAll, open, check, import, export, ownForm, assignClasses
const table: [StaffRole, boolean[]][] = [
  ['headteacher', [true, true, true, true, true, true, true, false, true]],
  ['dsl', [false, false, false, false, false, false, false, false, false]],
  ['dpo', [true, true, true, true, true, true, true, false, false]],
  ['business_manager', [false, false, false, false, true, false, false, false, false]],
  ['office', [false, true, true, true, true, false, false, false, true]],
  ['ict_technician', [false, false, false, false, false, false, false, false, false]],
  ['teacher', [false, false, false, true, true, false, false, false, false]],
  ['support_staff', [false, false, false, true, true, false, false, false, false]],
  ['volunteer', [false, false, false, false, false, false, false, false, false]],
  ['governor', [false, false, false, false, false, false, false, false, false]],
];
const fns = [
  canManageConsent,
  canRecordConsent,
  canViewAllConsent,
  canOpenConsent,
  canCheckConsent,
  canImportConsent,
  canExportConsent,
  canUseOwnConsentForm,
  canAssignConsentClasses,
];

describe('consent policy', () => {
  it.each(table)('answers for a %s', (role, expected) => {
    expect(fns.map((f) => f(staff(role)))).toEqual(expected);
  });

  it('lets parents and pupils use only their own consent form', () => {
    for (const p of [parent, pupil])
      expect(fns.map((f) => f(p))).toEqual([
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        true,
        false,
      ]);
  });

  it('gives an organisation admin nothing', () => {
    expect(fns.map((f) => f(orgAdmin))).toEqual(fns.map(() => false));
  });

  // The profile's record keeper (roles.consentRecordKeeperRole / …Responsibilities):
  // reach, keeper (role: office), keeper (role: DPO, holds the keeper's responsibility),
  // manage as the keeper (role: business_manager), record as keeper (DPO), view all as keeper (DPO)
  const byRole = { role: 'dpo', byResponsibility: false } as const;
  const held = { role: 'dpo', byResponsibility: true } as const;
  const bm = { role: 'business_manager', byResponsibility: false } as const;
  const keeperTable: [StaffRole, boolean[]][] = [
    ['headteacher', [true, false, true, true, true, true]],
    ['dsl', [true, false, true, false, false, false]],
    ['dpo', [true, false, true, true, true, true]],
    ['business_manager', [true, false, true, true, false, false]],
    ['office', [true, true, true, false, true, true]],
    ['ict_technician', [true, false, true, false, false, false]],
    ['teacher', [true, false, true, false, false, false]],
    ['support_staff', [true, false, true, false, false, false]],
    ['volunteer', [true, false, true, false, false, false]],
    ['governor', [true, false, true, false, false, false]],
  ];
  const keeperAnswers = (p: Principal) => [
    mayReachConsentKeeping(p),
    isConsentRecordKeeper(p, { role: 'office', byResponsibility: false }),
    isConsentRecordKeeper(p, held),
    canManageConsentAs(p, bm),
    canRecordConsentAs(p, byRole),
    canViewAllConsentAs(p, byRole),
  ];
  it.each(keeperTable)('answers for a %s as the record keeper rules say', (role, expected) => {
    expect(keeperAnswers(staff(role))).toEqual(expected);
  });
  it('a holder of the keeper’s responsibility keeps the record; parents and pupils never', () => {
    expect(canViewAllConsentAs(staff('teacher'), held)).toBe(true);
    expect(canRecordConsentAs(staff('teacher'), held)).toBe(true);
    expect(canManageConsentAs(staff('teacher'), held)).toBe(true);
    for (const p of [parent, pupil, orgAdmin])
      expect(keeperAnswers(p)).toEqual([false, false, false, false, false, false]);
  });

  // The office routes that honour the keeper too (paper form, withdrawal, competence, imports,
  // the pages that lead to them), with the keeper named by role (the Business Manager) or held
  // as a responsibility (`held`), or nobody (a school without a profile: role null).
  // open as keeper (BM), record as keeper (BM), competence as keeper (BM), import as keeper (BM),
  // whole register as keeper (BM), open with no keeper, import with no keeper, record by holding,
  // the navigation's keeper-only entry
  const nobody = { role: null, byResponsibility: false } as const;
  const keeperRoutesTable: [StaffRole, boolean[]][] = [
    ['headteacher', [true, true, true, true, false, true, true, true, false]],
    ['dsl', [false, false, false, false, false, false, false, true, true]],
    ['dpo', [true, true, true, true, false, true, true, true, false]],
    ['business_manager', [true, true, true, true, true, false, false, true, true]],
    ['office', [true, true, false, false, false, true, false, true, false]],
    ['ict_technician', [false, false, false, false, false, false, false, true, true]],
    ['teacher', [true, false, false, false, false, true, false, true, false]],
    ['support_staff', [true, false, false, false, false, true, false, true, false]],
    ['volunteer', [false, false, false, false, false, false, false, true, true]],
    ['governor', [false, false, false, false, false, false, false, true, true]],
  ];
  const keeperRouteAnswers = (p: Principal) => [
    canOpenConsentAs(p, bm),
    canRecordConsentAs(p, bm),
    canAssessCompetenceAs(p, bm),
    canImportConsentAs(p, bm),
    seesWholeConsentRegister(p, bm),
    canOpenConsentAs(p, nobody),
    canImportConsentAs(p, nobody),
    canRecordConsentAs(p, held),
    mayOpenConsentOnlyAsKeeper(p),
  ];
  it.each(keeperRoutesTable)(
    'answers for a %s on the routes the record keeper uses',
    (role, expected) => {
      expect(keeperRouteAnswers(staff(role))).toEqual(expected);
    },
  );
  it('the keeper’s routes: a holder of its responsibility may do all of it; families never', () => {
    for (const role of ['ict_technician', 'governor', 'teacher'] as const) {
      const p = staff(role);
      expect([
        canOpenConsentAs(p, held),
        canRecordConsentAs(p, held),
        canAssessCompetenceAs(p, held),
        canImportConsentAs(p, held),
        seesWholeConsentRegister(p, held),
      ]).toEqual([true, true, true, true, true]);
      // Without a keeper, a role the rules leave out is refused (deny by default).
      expect(seesWholeConsentRegister(p, nobody)).toBe(false);
      expect(canImportConsentAs(p, nobody)).toBe(false);
    }
    for (const p of [parent, pupil, orgAdmin])
      expect(keeperRouteAnswers(p)).toEqual([
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
        false,
      ]);
  });
});
