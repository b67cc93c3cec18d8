import { hasRole, type Principal } from '../auth/index.ts';

/**
 * Which pupils a member of staff may see: the ONE rule every read of pupils goes through (pupil
 * list and pages, the consent register pages and check, the consent check API, the media tagging
 * page and its pickers). Pure; deny by default.
 *
 * - The Headteacher, DSL, DPO, Business Manager and office staff see every pupil of their school.
 * - Teachers and teaching assistants (support staff) see the pupils of the classes assigned to
 *   them under Staff → Classes taught by staff, and nobody else (least privilege, SPEC §1). With
 *   no class assigned yet they see nobody.
 * - Anyone else on the staff (ICT technician, volunteer, governor) sees no pupil.
 *
 * Someone holding a school-wide role and a class role sees the whole school. Parents and pupils
 * are not scoped here: they see their own family through the people policy. One widening: the
 * consent record keeper the school's profile names keeps the whole school's record, so the
 * consent register's pages show them every pupil (consent.policy.ts `seesWholeConsentRegister`).
 */
export const wholeSchoolRoles = [
  'headteacher',
  'dsl',
  'dpo',
  'business_manager',
  'office',
] as const;

/** The roles whose pupils are the classes assigned to them. */
export const classScopedRoles = ['teacher', 'support_staff'] as const;

export type PupilScopeKind = 'school' | 'classes' | 'none';

/** What kind of scope a person has (before their classes are looked up). */
export function pupilScopeKind(p: Principal): PupilScopeKind {
  if (hasRole(p, ...wholeSchoolRoles)) return 'school';
  if (hasRole(p, ...classScopedRoles)) return 'classes';
  return 'none';
}

/** The pupils one person may see, once their assigned classes are known. */
export class PupilScope {
  private readonly visible: ReadonlySet<string>;

  private constructor(
    readonly schoolId: string,
    readonly kind: PupilScopeKind,
    /** The classes this person teaches (also for school-wide staff who teach a class). */
    readonly ownClasses: readonly string[],
  ) {
    this.visible = new Set(kind === 'classes' ? ownClasses : []);
  }

  /** The scope of `p` given the classes assigned to them (ignored for school-wide roles). */
  static of(p: Principal, assignedClasses: readonly string[]): PupilScope {
    if (p.kind === 'org_admin') return new PupilScope('', 'none', []);
    const kind = p.kind === 'staff' ? pupilScopeKind(p) : 'none';
    return new PupilScope(p.schoolId, kind, kind === 'none' ? [] : [...assignedClasses]);
  }

  /** Nobody: for reads that must show no pupil (e.g. counts only). */
  static nobody(schoolId: string): PupilScope {
    return new PupilScope(schoolId, 'none', []);
  }

  get wholeSchool(): boolean {
    return this.kind === 'school';
  }

  /** The class names to filter a query by: null for the whole school (may be empty). */
  get classFilter(): readonly string[] | null {
    return this.kind === 'school' ? null : [...this.visible];
  }

  /** Whether a pupil of this class (null: no class) may be seen. */
  includesClass(className: string | null | undefined): boolean {
    if (this.kind === 'school') return true;
    return !!className && this.visible.has(className);
  }

  /** Whether this pupil (of this person's school) may be seen. */
  includes(pupil: { schoolId?: string; className: string | null }): boolean {
    if (pupil.schoolId !== undefined && pupil.schoolId !== this.schoolId) return false;
    return this.includesClass(pupil.className);
  }
}
