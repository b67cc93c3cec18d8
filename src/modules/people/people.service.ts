/**
 * The people module's service: reads of pupils, parents and staff (here), and the changes made
 * in the app, handed on to their parts: people-pupil-changes.ts (pupils) and people-staff.ts
 * (staff and their invitations). people-deps.ts holds what every part is given.
 */
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import type { Principal, StaffPrincipal } from '../auth/index.ts';
import { canViewPupilRecord, isClassScoped } from './people.policy.ts';
import type { PupilInput, PupilPatch, StaffInput, StaffPatch } from './people.forms.ts';
import type { PeopleRepository, PupilFilters, PupilRow } from './people.repository.ts';
import { todayIn, type PeopleDeps } from './people-deps.ts';
import { PupilChanges } from './people-pupil-changes.ts';
import { StaffManagement } from './people-staff.ts';

export { todayIn, type StaffInvitationJob, type StaffInvitationJobs } from './people-deps.ts';

export const PAGE_SIZE = 50;

/**
 * The longest a shared read is reused. Freshness does not depend on it: every shared read is
 * checked against the school's version first (ADR 0018), so a change shows on the next request.
 */
export const READ_TTL_MS = 5_000;

type ClassCount = Awaited<ReturnType<PeopleRepository['classes']>>[number];

export interface PageOf<T> {
  rows: T[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
}

function pageOf<T>(rows: T[], total: number, page: number, pageSize = PAGE_SIZE): PageOf<T> {
  return { rows, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) };
}

/** Reads of pupils, parents and staff, always scoped to the asking person's school. */
export class PeopleService {
  private readonly pupilChanges: PupilChanges;
  private readonly staff: StaffManagement;

  constructor(private readonly deps: PeopleDeps) {
    this.pupilChanges = new PupilChanges(deps);
    this.staff = new StaffManagement(deps);
  }

  /** Set-up of a new school: the school row and its policy profile from a template, one transaction. */
  async createSchool(
    input: { name: string; slug: string; templateKey: string; organisationId?: string | null },
    actor: Actor,
  ) {
    const errors: Record<string, string> = {};
    if (!input.name.trim()) errors.name = 'Enter the school’s name';
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(input.slug)) {
      errors.slug = 'Use lower-case letters, numbers and hyphens, like oakfield-primary';
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return this.deps.database.transaction(async (tx) => {
      if (await this.deps.repository.getSchoolBySlug(tx.db, input.slug)) {
        throw new ConflictError(`A school with the slug ${input.slug} already exists`);
      }
      const school = await this.deps.repository.createSchool(tx.db, {
        name: input.name.trim(),
        slug: input.slug,
        organisationId: input.organisationId ?? null,
      });
      await this.deps.audit.record(tx, {
        schoolId: school.id,
        actor,
        action: 'people.school-created',
        entityType: 'school',
        entityId: school.id,
        data: { templateKey: input.templateKey },
      });
      await this.deps.policies.adoptTemplate(tx, school.id, input.templateKey, actor);
      return school;
    });
  }

  private get db() {
    return this.deps.database.db;
  }

  private readonly schoolNames = new Map<string, string>();

  /** The school's display name (cached: names change rarely). */
  async schoolName(schoolId: string): Promise<string> {
    const cached = this.schoolNames.get(schoolId);
    if (cached) return cached;
    const school = await this.deps.repository.getSchool(this.db, schoolId);
    const name = school?.name ?? '';
    if (school) this.schoolNames.set(schoolId, name);
    return name;
  }

  /** A trust's name, for the trust admin's page header (cached like school names). */
  async organisationName(organisationId: string): Promise<string> {
    const key = `organisation:${organisationId}`;
    const cached = this.schoolNames.get(key);
    if (cached) return cached;
    const organisation = await this.deps.repository.getOrganisation(this.db, organisationId);
    if (organisation) this.schoolNames.set(key, organisation.name);
    return organisation?.name ?? '';
  }

  today(): string {
    return todayIn(this.deps.clock);
  }

  async school(schoolId: string) {
    const school = await this.deps.repository.getSchool(this.db, schoolId);
    if (!school) throw new NotFoundError();
    return school;
  }

  /**
   * One page of the school's pupils. The page is a shared read (see Database.cachedRead): the
   * list is read far more often than it changes, and any change, through any process, shows on
   * the next request (the school's version is checked first, ADR 0018).
   */
  async listPupils(schoolId: string, filters: Omit<PupilFilters, 'today'>, page: number) {
    const today = this.today();
    const f = { ...filters, today };
    // Every filter is part of the key (the whole object), so a new filter cannot share results.
    const key = `pupils:${schoolId}:${page}:${JSON.stringify(f)}`;
    const { rows, total } = await this.deps.database.cachedRead(
      key,
      READ_TTL_MS,
      () =>
        this.deps.repository.listPupils(this.db, schoolId, f, {
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
        }),
      schoolId,
    );
    return pageOf(rows, total, page);
  }

  /** Classes and their sizes for the pupil filters (a shared read, like the list). */
  async classes(schoolId: string): Promise<ClassCount[]> {
    return this.deps.database.cachedRead(
      `classes:${schoolId}`,
      READ_TTL_MS,
      () => this.deps.repository.classes(this.db, schoolId),
      schoolId,
    );
  }

  /**
   * The classes whose pupils this person may see, or null for the whole school. Teachers and
   * teaching assistants see only the classes assigned to them (an empty list: nobody yet).
   */
  async classScope(principal: Principal): Promise<string[] | null> {
    if (principal.kind !== 'staff' || !isClassScoped(principal)) return null;
    return this.deps.staffClasses.classesFor(this.db, principal.schoolId, principal.id);
  }

  /** The pupil page: 404 unless this person may see this pupil. */
  async pupilRecord(principal: Principal, pupilId: string) {
    if (principal.kind === 'org_admin') throw new NotFoundError();
    const pupil = await this.deps.repository.getPupil(this.db, principal.schoolId, pupilId);
    if (!pupil) throw new NotFoundError();
    const isParent =
      principal.kind === 'parent' &&
      (await this.deps.repository.isParentOf(this.db, principal.schoolId, principal.id, pupil.id));
    if (!canViewPupilRecord(principal, pupil, isParent)) throw new NotFoundError();
    const scope = await this.classScope(principal);
    if (scope && !(pupil.className && scope.includes(pupil.className))) throw new NotFoundError();
    const hasLeft = pupil.leavingDate !== null && pupil.leavingDate <= this.today();
    if (principal.kind !== 'staff') {
      // Parents (and the pupil) see the child's own details, never the school's MIS workings:
      // no MIS id, no "missing from the MIS import" flag, no search text.
      const { misId: _m, possiblyLeftAt: _p, searchText: _s, ...own } = pupil;
      return { pupil: { ...own, misId: null, possiblyLeftAt: null }, parents: [], hasLeft };
    }
    const parents = await this.deps.repository.parentsOfPupil(
      this.db,
      principal.schoolId,
      pupil.id,
    );
    return { pupil, parents, hasLeft };
  }

  async listParents(schoolId: string, q: string | undefined, page: number) {
    const { rows, total } = await this.deps.repository.listParents(this.db, schoolId, q, {
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    });
    return pageOf(rows, total, page);
  }

  async parentRecord(schoolId: string, parentId: string) {
    const parent = await this.deps.repository.getParent(this.db, schoolId, parentId);
    if (!parent) throw new NotFoundError();
    const children = await this.deps.repository.childrenOfParent(this.db, schoolId, parentId);
    return { parent, children };
  }

  async childrenOf(principal: Principal) {
    if (principal.kind !== 'parent') return [];
    return this.deps.repository.childrenOfParent(this.db, principal.schoolId, principal.id);
  }

  async listStaff(schoolId: string, q: string | undefined, page: number) {
    const { rows, total } = await this.deps.repository.listStaff(this.db, schoolId, q, {
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    });
    return pageOf(rows, total, page);
  }

  /**
   * People's names for ids recorded in the audit log, read now (so a renamed person shows their
   * current name, and a deleted one is simply absent). Scoped to one school.
   */
  async displayNames(
    schoolId: string,
    ids: { staff: string[]; parents: string[]; pupils: string[] },
  ) {
    return this.deps.repository.displayNames(this.db, schoolId, ids);
  }

  // -------------------------------------------------------------------------------------------
  // Managing pupils and staff in the app: each change one transaction and one audit event.
  // Pupils: people-pupil-changes.ts; staff: people-staff.ts.

  /** Adds a pupil (not from the MIS). Without an MIS id Lanyard makes one up (`LY-…`). */
  addPupil(principal: StaffPrincipal, input: PupilInput): Promise<PupilRow> {
    return this.pupilChanges.addPupil(principal, input);
  }

  /** Changes a pupil's details (and, through the API, the leaving date). */
  updatePupil(principal: StaffPrincipal, pupilId: string, patch: PupilPatch): Promise<PupilRow> {
    return this.pupilChanges.updatePupil(principal, pupilId, patch);
  }

  /** Records a leaving date for one or more pupils of the school (and clears "possibly left"). */
  recordLeaving(
    principal: StaffPrincipal,
    pupilIds: readonly string[],
    leavingDate: string,
  ): Promise<number> {
    return this.pupilChanges.recordLeaving(principal, pupilIds, leavingDate);
  }

  /** "Still here": clears the "possibly left" flag of pupils an MIS import did not list. */
  confirmStillHere(principal: StaffPrincipal, pupilIds: readonly string[]): Promise<number> {
    return this.pupilChanges.confirmStillHere(principal, pupilIds);
  }

  /** The pupils an MIS import flagged as possibly left (the review page shows up to 1,000). */
  async possiblyLeft(schoolId: string) {
    return this.deps.repository.listPossiblyLeft(this.db, schoolId, this.today(), 1000);
  }

  /** One member of staff of this school with their roles (404 otherwise). */
  async staffMember(schoolId: string, staffId: string) {
    const member = await this.deps.repository.getStaff(this.db, schoolId, staffId);
    if (!member) throw new NotFoundError();
    return member;
  }

  /**
   * Whom `staffId` may have as line manager: the school's other active members of staff, by
   * name (the staff page's list). Their current manager is kept in the list even if inactive.
   */
  async lineManagerChoices(schoolId: string, staffId: string | null, currentId: string | null) {
    const links = await this.deps.repository.lineManagerLinks(this.db, schoolId);
    return links
      .filter((l) => l.id !== staffId && (l.active || l.id === currentId))
      .map((l) => ({ id: l.id, name: `${l.givenName} ${l.familyName}`, active: l.active }));
  }

  /** Adds a member of staff with their roles; the invitation job is enqueued with the row. */
  addStaff(principal: StaffPrincipal, input: StaffInput) {
    return this.staff.addStaff(principal, input);
  }

  /** Changes a member of staff: details, roles, active, line manager, leave date. */
  updateStaff(principal: StaffPrincipal, staffId: string, patch: StaffPatch) {
    return this.staff.updateStaff(principal, staffId, patch);
  }

  /** "Send a new invitation" to an active member of staff who has no password yet. */
  inviteStaffAgain(principal: StaffPrincipal, staffId: string): Promise<void> {
    return this.staff.inviteStaffAgain(principal, staffId);
  }

  /** The hourly job: staff whose leave date has come are deactivated (people-staff.ts). */
  deactivateLeavers(): Promise<{ deactivated: number; keptHeads: number }> {
    return this.staff.deactivateLeavers();
  }
}
