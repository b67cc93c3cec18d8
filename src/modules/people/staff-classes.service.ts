import { ukDate, type Clock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/audit.service.ts';
import type { StaffClassesRepository } from './staff-classes.repository.ts';
import { classRoles } from './staff-classes.policy.ts';

/**
 * Which classes a teacher or member of support staff works with. Teachers see the consent matrix
 * and class cards of these classes only (issue 3 item 9).
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
