import type { Database, Tx } from '../../platform/db/database.ts';
import { isUniqueViolation } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import crypto from 'node:crypto';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldErrors,
} from '../../errors.ts';
import type { Actor, AuditService } from '../audit/audit.service.ts';
import type { PolicyService } from '../policies/policies.service.ts';
import {
  roleLabels,
  type Principal,
  type StaffPrincipal,
  type StaffRole,
} from '../auth/principal.ts';
import {
  canChangeStaffMember,
  canGrantRole,
  canManagePupils,
  canManageStaff,
  canViewPupilRecord,
  isClassScoped,
} from './people.policy.ts';
import type { PupilInput, PupilPatch, StaffInput, StaffPatch } from './people.forms.ts';
import { pupilSearchText, type PupilRow } from './people.repository.ts';
import type { StaffClassesRepository } from './staff-classes.repository.ts';
import type { PeopleRepository, PupilFilters } from './people.repository.ts';

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

let todayMinute = Number.NaN;
let todayValue = '';

/**
 * Today's date in London (`YYYY-MM-DD`), formatted once a minute rather than on every request:
 * London's date only changes on a whole minute, so this is always the same as ukDate(now).
 */
export function todayIn(clock: Clock): string {
  const minute = Math.floor(clock.now().getTime() / 60_000);
  if (minute !== todayMinute) {
    todayValue = ukDate(new Date(minute * 60_000));
    todayMinute = minute;
  }
  return todayValue;
}

function pageOf<T>(rows: T[], total: number, page: number, pageSize = PAGE_SIZE): PageOf<T> {
  return { rows, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) };
}

/**
 * The job that emails a new member of staff their one-time "set your password" link (the auth
 * module's handler makes the link). Ids only; `requestedAt` lets a second run see that the
 * invitation was already made.
 */
export interface StaffInvitationJob {
  staffId: string;
  requestedAt: string;
}

/** Enqueues staff invitations, in the transaction of the change that asks for one. */
export interface StaffInvitationJobs {
  enqueue(
    name: 'auth.staff-invitation',
    data: StaffInvitationJob,
    options: { tx: Tx },
  ): Promise<string | null>;
}

/** Reads of pupils, parents and staff, always scoped to the asking person's school. */
export class PeopleService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: PeopleRepository;
      staffClasses: StaffClassesRepository;
      audit: AuditService;
      clock: Clock;
      policies: PolicyService;
      jobs: StaffInvitationJobs;
    },
  ) {}

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

  private actorOf(p: StaffPrincipal) {
    return { kind: 'staff' as const, id: p.id };
  }

  /** Checks a pupil's dates against each other and today; field errors keyed like the forms. */
  private pupilDateErrors(values: {
    dateOfBirth: string;
    admissionDate: string | null;
    leavingDate: string | null;
  }): FieldErrors {
    const errors: FieldErrors = {};
    const today = this.today();
    if (values.dateOfBirth >= today) errors.dateOfBirth = 'Date of birth must be in the past';
    else if (values.dateOfBirth < `${Number(today.slice(0, 4)) - 25}${today.slice(4)}`) {
      errors.dateOfBirth = 'Date of birth must be within the last 25 years';
    }
    if (values.admissionDate && values.admissionDate <= values.dateOfBirth) {
      errors.admissionDate = 'Admission date must be after the date of birth';
    }
    if (values.leavingDate) {
      if (values.leavingDate <= values.dateOfBirth) {
        errors.leavingDate = 'Leaving date must be after the date of birth';
      } else if (values.admissionDate && values.leavingDate < values.admissionDate) {
        errors.leavingDate = 'Leaving date must be the same as or after the admission date';
      }
    }
    return errors;
  }

  /** Adds a pupil (not from the MIS). Without an MIS id Lanyard makes one up (`LY-…`). */
  async addPupil(principal: StaffPrincipal, input: PupilInput): Promise<PupilRow> {
    if (!canManagePupils(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const errors = this.pupilDateErrors({ ...input, leavingDate: null });
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const misId = input.misId ?? `LY-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
    return this.deps.database.transaction(async (tx) => {
      if (await this.deps.repository.getPupilByMisId(tx.db, schoolId, misId)) {
        throw new ValidationError({ misId: 'Another pupil already has this MIS id' });
      }
      const now = this.deps.clock.now();
      const pupil = await this.deps.repository.insertPupil(tx.db, {
        schoolId,
        misId,
        givenName: input.givenName,
        familyName: input.familyName,
        dateOfBirth: input.dateOfBirth,
        yearGroup: input.yearGroup,
        className: input.className,
        admissionDate: input.admissionDate,
        createdAt: now,
        updatedAt: now,
      });
      await this.deps.audit.record(tx, {
        schoolId,
        actor: this.actorOf(principal),
        action: 'people.pupil-added',
        entityType: 'pupil',
        entityId: pupil.id,
        data: { yearGroup: pupil.yearGroup, className: pupil.className },
      });
      return pupil;
    });
  }

  /**
   * Changes a pupil's details (and, through the API, the leaving date). Records are never
   * deleted: a leaver keeps their consent and media history. Setting a leaving date clears any
   * "possibly left" flag.
   */
  async updatePupil(
    principal: StaffPrincipal,
    pupilId: string,
    patch: PupilPatch,
  ): Promise<PupilRow> {
    if (!canManagePupils(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    return this.deps.database.transaction(async (tx) => {
      const [old] = await this.deps.repository.lockPupils(tx.db, schoolId, [pupilId]);
      if (!old) throw new NotFoundError();
      const next = {
        givenName: patch.givenName ?? old.givenName,
        familyName: patch.familyName ?? old.familyName,
        dateOfBirth: patch.dateOfBirth ?? old.dateOfBirth,
        yearGroup: patch.yearGroup ?? old.yearGroup,
        className: patch.className !== undefined ? patch.className : old.className,
        admissionDate: patch.admissionDate !== undefined ? patch.admissionDate : old.admissionDate,
        leavingDate: patch.leavingDate !== undefined ? patch.leavingDate : old.leavingDate,
        misId: patch.misId ?? old.misId,
      };
      const errors = this.pupilDateErrors(next);
      if (next.misId !== old.misId) {
        const other = await this.deps.repository.getPupilByMisId(tx.db, schoolId, next.misId);
        if (other) errors.misId = 'Another pupil already has this MIS id';
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const changed = (Object.keys(next) as (keyof typeof next)[]).filter(
        (k) => next[k] !== old[k],
      );
      if (changed.length === 0) return old;
      const now = this.deps.clock.now();
      const row = await this.deps.repository.updatePupil(tx.db, schoolId, pupilId, {
        ...next,
        ...(changed.includes('leavingDate') && next.leavingDate ? { possiblyLeftAt: null } : {}),
        searchText: pupilSearchText(next),
        updatedAt: now,
      });
      await this.deps.audit.record(tx, {
        schoolId,
        actor: this.actorOf(principal),
        action: 'people.pupil-changed',
        entityType: 'pupil',
        entityId: pupilId,
        data: {
          changed,
          ...(changed.includes('leavingDate') ? { leavingDate: next.leavingDate } : {}),
        },
      });
      return row!;
    });
  }

  /**
   * Records a leaving date for one or more pupils of the school (and clears "possibly left").
   * Their records and history stay. All or nothing: a pupil of another school looks missing.
   */
  async recordLeaving(
    principal: StaffPrincipal,
    pupilIds: readonly string[],
    leavingDate: string,
  ): Promise<number> {
    if (!canManagePupils(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const ids = [...new Set(pupilIds)];
    return this.deps.database.transaction(async (tx) => {
      const rows = await this.deps.repository.lockPupils(tx.db, schoolId, ids);
      if (rows.length !== ids.length || ids.length === 0) throw new NotFoundError();
      const errors: FieldErrors = {};
      for (const p of rows) {
        const e = this.pupilDateErrors({ ...p, leavingDate });
        if (e.leavingDate) {
          errors.leavingDate =
            rows.length === 1 ? e.leavingDate : `${e.leavingDate} (${p.givenName} ${p.familyName})`;
          break;
        }
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const n = await this.deps.repository.recordLeaving(
        tx.db,
        schoolId,
        ids,
        leavingDate,
        this.deps.clock.now(),
      );
      await this.deps.audit.record(tx, {
        schoolId,
        actor: this.actorOf(principal),
        action: 'people.pupils-left',
        entityType: 'pupil',
        entityId: ids.length === 1 ? ids[0]! : null,
        data: { pupilIds: [...ids].sort(), leavingDate },
      });
      return n;
    });
  }

  /** "Still here": clears the "possibly left" flag of pupils an MIS import did not list. */
  async confirmStillHere(principal: StaffPrincipal, pupilIds: readonly string[]): Promise<number> {
    if (!canManagePupils(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const ids = [...new Set(pupilIds)];
    return this.deps.database.transaction(async (tx) => {
      const rows = await this.deps.repository.lockPupils(tx.db, schoolId, ids);
      if (rows.length !== ids.length || ids.length === 0) throw new NotFoundError();
      const n = await this.deps.repository.clearPossiblyLeft(
        tx.db,
        schoolId,
        ids,
        this.deps.clock.now(),
      );
      await this.deps.audit.record(tx, {
        schoolId,
        actor: this.actorOf(principal),
        action: 'people.pupils-still-here',
        entityType: 'pupil',
        entityId: ids.length === 1 ? ids[0]! : null,
        data: { pupilIds: [...ids].sort(), cleared: n },
      });
      return n;
    });
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

  private roleErrors(principal: StaffPrincipal, roles: Iterable<string>): FieldErrors {
    for (const role of roles) {
      if (!canGrantRole(principal, role as StaffRole)) {
        return {
          roles: `Only the Headteacher can give or take away the ${roleLabels[role as StaffRole]} role`,
        };
      }
    }
    return {};
  }

  /**
   * Adds a member of staff with their roles. They have no password yet: the invitation job,
   * enqueued in the same transaction, emails them a one-time link to set one.
   */
  async addStaff(principal: StaffPrincipal, input: StaffInput) {
    if (!canManageStaff(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const errors = this.roleErrors(principal, input.roles);
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return this.deps.database.transaction(async (tx) => {
      if (await this.deps.repository.getStaffByEmail(tx.db, input.email)) {
        throw new ValidationError({
          email: 'This email address is already used by a Lanyard account',
        });
      }
      const now = this.deps.clock.now();
      const row = await this.deps.repository
        .createStaff(
          tx.db,
          {
            schoolId,
            email: input.email,
            givenName: input.givenName,
            familyName: input.familyName,
            jobTitle: input.jobTitle,
            startDate: this.today(),
            createdAt: now,
            updatedAt: now,
          },
          input.roles,
        )
        .catch((error: unknown) => {
          // The same address added at the same moment elsewhere: the check above could not see it.
          if (isUniqueViolation(error)) {
            throw new ValidationError({
              email: 'This email address is already used by a Lanyard account',
            });
          }
          throw error;
        });
      await this.deps.audit.record(tx, {
        schoolId,
        actor: this.actorOf(principal),
        action: 'people.staff-added',
        entityType: 'staff',
        entityId: row.id,
        data: { roles: [...input.roles].sort() },
      });
      await this.deps.jobs.enqueue(
        'auth.staff-invitation',
        { staffId: row.id, requestedAt: now.toISOString() },
        { tx },
      );
      return { ...row, roles: input.roles as string[] };
    });
  }

  /**
   * Changes a member of staff: details, roles, active. Deactivating ends their access within
   * seconds (a session or API token is checked against `active` each time it is loaded, and a
   * process keeps a loaded session for up to five seconds); their history stays. The school always
   * keeps an active Headteacher, and nobody deactivates themself.
   */
  async updateStaff(principal: StaffPrincipal, staffId: string, patch: StaffPatch) {
    if (!canManageStaff(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    return this.deps.database.transaction(async (tx) => {
      const heads = await this.deps.repository.lockActiveWithRole(tx.db, schoolId, 'headteacher');
      const old = await this.deps.repository.getStaff(tx.db, schoolId, staffId);
      if (!old) throw new NotFoundError();
      if (!canChangeStaffMember(principal, old)) {
        throw new ForbiddenError(
          'Only the Headteacher can change the account of a Headteacher, DSL or DPO',
        );
      }
      const roles = patch.roles ? [...new Set(patch.roles)].sort() : [...old.roles].sort();
      const added = roles.filter((r) => !old.roles.includes(r));
      const removed = old.roles.filter((r) => !roles.includes(r as StaffRole));
      const active = patch.active ?? old.active;
      const errors = this.roleErrors(principal, [...added, ...removed]);
      if (!active && old.active && staffId === principal.id) {
        errors.active = 'You cannot deactivate your own account';
      }
      const stillHead = active && roles.includes('headteacher');
      if (heads.includes(staffId) && !stillHead && heads.length === 1) {
        errors[patch.roles ? 'roles' : 'active'] ??=
          'The school must keep an active Headteacher: give another member of staff the Headteacher role first';
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const details = {
        givenName: patch.givenName ?? old.givenName,
        familyName: patch.familyName ?? old.familyName,
        jobTitle: patch.jobTitle !== undefined ? patch.jobTitle : old.jobTitle,
      };
      const changed = (Object.keys(details) as (keyof typeof details)[]).filter(
        (k) => details[k] !== old[k],
      );
      if (
        changed.length === 0 &&
        added.length === 0 &&
        removed.length === 0 &&
        active === old.active
      ) {
        return old;
      }
      const now = this.deps.clock.now();
      await this.deps.repository.updateStaff(tx.db, schoolId, staffId, {
        ...details,
        active,
        ...(active !== old.active ? { leaveDate: active ? null : this.today() } : {}),
        updatedAt: now,
      });
      if (added.length || removed.length) {
        await this.deps.repository.setStaffRoles(tx.db, schoolId, staffId, roles);
      }
      const action =
        active !== old.active
          ? active
            ? 'people.staff-reactivated'
            : 'people.staff-deactivated'
          : 'people.staff-changed';
      await this.deps.audit.record(tx, {
        schoolId,
        actor: this.actorOf(principal),
        action,
        entityType: 'staff',
        entityId: staffId,
        data: { changed, rolesAdded: added, rolesRemoved: removed },
      });
      return (await this.deps.repository.getStaff(tx.db, schoolId, staffId))!;
    });
  }

  /**
   * "Send a new invitation": for an active member of staff who has not set a password yet (their
   * invitation expired, or the email went astray). A new link replaces the old one.
   */
  async inviteStaffAgain(principal: StaffPrincipal, staffId: string): Promise<void> {
    if (!canManageStaff(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    await this.deps.database.transaction(async (tx) => {
      const member = await this.deps.repository.getStaff(tx.db, schoolId, staffId);
      if (!member) throw new NotFoundError();
      if (!canChangeStaffMember(principal, member)) {
        throw new ForbiddenError(
          'Only the Headteacher can change the account of a Headteacher, DSL or DPO',
        );
      }
      if (!member.active) {
        throw new ValidationError({
          invitation: 'This account is deactivated: reactivate it before sending an invitation',
        });
      }
      if (member.passwordHash) {
        throw new ValidationError({
          invitation: 'They have already set a password, so they do not need an invitation',
        });
      }
      const now = this.deps.clock.now();
      await this.deps.audit.record(tx, {
        schoolId,
        actor: this.actorOf(principal),
        action: 'people.staff-invited',
        entityType: 'staff',
        entityId: staffId,
      });
      await this.deps.jobs.enqueue(
        'auth.staff-invitation',
        { staffId, requestedAt: now.toISOString() },
        { tx },
      );
    });
  }
}
