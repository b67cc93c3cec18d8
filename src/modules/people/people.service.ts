import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/audit.service.ts';
import type { PolicyService } from '../policies/policies.service.ts';
import type { Principal } from '../auth/principal.ts';
import { canViewPupilRecord, isClassScoped } from './people.policy.ts';
import type { StaffClassesRepository } from './staff-classes.repository.ts';
import type { PeopleRepository, PupilFilters } from './people.repository.ts';

export const PAGE_SIZE = 50;

/** How long a shared read may be reused when nothing in this process has changed anything. */
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
   * list is read far more often than it changes, and any change in this process shows at once.
   */
  async listPupils(schoolId: string, filters: Omit<PupilFilters, 'today'>, page: number) {
    const today = this.today();
    const f = { ...filters, today };
    // Every filter is part of the key (the whole object), so a new filter cannot share results.
    const key = `pupils:${schoolId}:${page}:${JSON.stringify(f)}`;
    const { rows, total } = await this.deps.database.cachedRead(key, READ_TTL_MS, () =>
      this.deps.repository.listPupils(this.db, schoolId, f, {
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      }),
    );
    return pageOf(rows, total, page);
  }

  /** Classes and their sizes for the pupil filters (a shared read, like the list). */
  async classes(schoolId: string): Promise<ClassCount[]> {
    return this.deps.database.cachedRead(`classes:${schoolId}`, READ_TTL_MS, () =>
      this.deps.repository.classes(this.db, schoolId),
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
    const parents =
      principal.kind === 'staff'
        ? await this.deps.repository.parentsOfPupil(this.db, principal.schoolId, pupil.id)
        : [];
    return {
      pupil,
      parents,
      hasLeft: pupil.leavingDate !== null && pupil.leavingDate <= this.today(),
    };
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
}
