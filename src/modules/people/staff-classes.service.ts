import { ukDate, type Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { Principal } from '../auth/index.ts';
import { PupilScope, pupilScopeKind } from './pupil-scope.ts';
import type { StaffClassesRepository } from './staff-classes.repository.ts';
import { classRoles } from './staff-classes.policy.ts';

/**
 * Which classes a teacher or member of support staff works with, and so which pupils each person
 * may see (PupilScope, the one rule every read of pupils goes through).
 */
export class StaffClassesService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: StaffClassesRepository;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  /** The classes assigned to one member of staff (empty for anyone else). */
  async classesOf(schoolId: string, staffId: string): Promise<string[]> {
    return this.deps.repository.classesFor(this.deps.database.db, schoolId, staffId);
  }

  /**
   * The pupils this person may see (see pupil-scope.ts). One small query for anyone who teaches
   * a class; none for anyone else.
   */
  async scopeOf(p: Principal): Promise<PupilScope> {
    if (p.kind !== 'staff' || pupilScopeKind(p) === 'none') return PupilScope.of(p, []);
    const teaches = p.roles.includes('teacher') || p.roles.includes('support_staff');
    const assigned = teaches ? await this.classesOf(p.schoolId, p.id) : [];
    return PupilScope.of(p, assigned);
  }

  /**
   * Throws NotFoundError('No such pupil') unless every one of `pupilIds` is a pupil of the
   * scope's school whom this person may see: a pupil outside the scope is answered exactly like
   * an unknown one. Free for school-wide staff (unknown ids are found by the caller's own read).
   */
  async assertVisible(scope: PupilScope, pupilIds: readonly string[]): Promise<void> {
    if (scope.wholeSchool || pupilIds.length === 0) return;
    const ids = [...new Set(pupilIds)];
    const visible =
      scope.kind === 'none'
        ? 0
        : await this.deps.repository.countInClasses(
            this.deps.database.db,
            scope.schoolId,
            ids,
            scope.classFilter ?? [],
          );
    if (visible !== ids.length) throw new NotFoundError('No such pupil');
  }

  /** The classes of pupils on roll today. */
  async schoolClasses(schoolId: string): Promise<string[]> {
    return this.deps.repository.schoolClasses(
      this.deps.database.db,
      schoolId,
      ukDate(this.deps.clock.now()),
    );
  }

  /** Teachers and support staff with their classes, for the assignment list. */
  async list(schoolId: string) {
    return this.deps.repository.staffWithClasses(this.deps.database.db, schoolId, classRoles);
  }

  /** One teacher or member of support staff of this school, their classes and the choices. */
  async forStaff(schoolId: string, staffId: string) {
    const db = this.deps.database.db;
    const person = await this.deps.repository.getStaff(db, schoolId, staffId);
    if (!person || !person.roles.some((r) => (classRoles as readonly string[]).includes(r))) {
      throw new NotFoundError('No such member of staff');
    }
    const [assigned, available] = await Promise.all([
      this.deps.repository.classesFor(db, schoolId, staffId),
      this.schoolClasses(schoolId),
    ]);
    // A class that has since emptied stays listed while it is still assigned, so it can be removed.
    const choices = [...new Set([...available, ...assigned])].sort((a, b) => a.localeCompare(b));
    return { staff: person, assigned, choices };
  }

  /** Replaces a member of staff's classes; one transaction, one audit event. */
  async assign(
    schoolId: string,
    actor: Actor,
    staffId: string,
    classNames: readonly string[],
  ): Promise<{ added: string[]; removed: string[] }> {
    const current = await this.forStaff(schoolId, staffId);
    const wanted = [...new Set(classNames.map((c) => c.trim()).filter(Boolean))].sort();
    const unknown = wanted.filter((c) => !current.choices.includes(c));
    if (unknown.length) {
      throw new ValidationError({ classes: `“${unknown[0]}” is not a class at this school` });
    }
    return this.deps.database.transaction(async (tx) => {
      if (!(await this.deps.repository.lockStaff(tx.db, schoolId, staffId))) {
        throw new NotFoundError('No such member of staff');
      }
      const before = await this.deps.repository.classesFor(tx.db, schoolId, staffId);
      const added = wanted.filter((c) => !before.includes(c));
      const removed = before.filter((c) => !wanted.includes(c));
      await this.deps.repository.replaceFor(tx.db, schoolId, staffId, wanted);
      await this.deps.audit.record(tx, {
        schoolId,
        actor,
        action: 'staff.classes-assigned',
        entityType: 'staff',
        entityId: staffId,
        data: { classes: wanted, added, removed },
      });
      return { added, removed };
    });
  }
}
