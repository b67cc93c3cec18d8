import type { Database } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/audit.service.ts';
import type { PolicyService } from '../policies/policies.service.ts';
import type { Principal } from '../auth/principal.ts';
import { canViewPupilRecord } from './people.policy.ts';
import type { PeopleRepository, PupilFilters } from './people.repository.ts';

export const PAGE_SIZE = 50;

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
  constructor(
    private readonly deps: {
      database: Database;
      repository: PeopleRepository;
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

  today(): string {
    return ukDate(this.deps.clock.now());
  }

  async school(schoolId: string) {
    const school = await this.deps.repository.getSchool(this.db, schoolId);
    if (!school) throw new NotFoundError();
    return school;
  }

  async listPupils(schoolId: string, filters: Omit<PupilFilters, 'today'>, page: number) {
    const { rows, total } = await this.deps.repository.listPupils(
      this.db,
      schoolId,
      { ...filters, today: this.today() },
      { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE },
    );
    return pageOf(rows, total, page);
  }

  private readonly classCache = new Map<string, { at: number; value: Promise<ClassCount[]> }>();

  /** Classes and their sizes for the pupil filters (cached for 10 s: they change only on import). */
  async classes(schoolId: string): Promise<ClassCount[]> {
    const now = this.deps.clock.now().getTime();
    const hit = this.classCache.get(schoolId);
    if (hit && now - hit.at < 10_000) return hit.value;
    const value = this.deps.repository.classes(this.db, schoolId);
    this.classCache.set(schoolId, { at: now, value });
    value.catch(() => this.classCache.delete(schoolId));
    return value;
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
