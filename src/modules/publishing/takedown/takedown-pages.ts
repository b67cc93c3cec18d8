/**
 * The staff takedown page: who handles takedowns, the due and done lists with people's names,
 * and marking a task done with a note.
 */
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import type { TakedownListRow } from './takedown.repository.ts';
import type { TakedownPage, TakedownDeps } from './takedown-deps.ts';

export class TakedownPages {
  constructor(private readonly deps: TakedownDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  // ---------------------------------------------------------------------------------------
  // The staff page

  /** Whether this person handles takedowns: the Headteacher, the custodian role, or a custodian. */
  async viewer(p: Principal): Promise<{ who: StaffPrincipal; everyAccount: boolean }> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const role = (await this.deps.policies.current(p.schoolId)).settings.roles
      .credentialCustodianRole.value;
    if (p.roles.some((r) => r === 'headteacher' || r === role))
      return { who: p, everyAccount: true };
    if (await this.deps.repository.isCustodian(this.db, p.schoolId, p.id))
      return { who: p, everyAccount: false };
    throw new NotFoundError();
  }

  async page(p: Principal): Promise<TakedownPage> {
    const { who, everyAccount } = await this.viewer(p);
    const only = everyAccount ? undefined : who.id;
    const now = this.deps.clock.now();
    const [open, done] = await this.named(
      who.schoolId,
      await Promise.all([
        this.deps.repository.open(this.db, who.schoolId, only),
        this.deps.repository.done(this.db, who.schoolId, only),
      ]),
    );
    return {
      due: open.map((t) => ({ ...t, overdue: t.dueAt < now })),
      done,
      everyAccount,
    };
  }

  async task(p: Principal, id: string): Promise<TakedownListRow> {
    const { who, everyAccount } = await this.viewer(p);
    const task = await this.deps.repository.get(this.db, who.schoolId, id);
    if (!task || (!everyAccount && task.custodianId !== who.id)) throw new NotFoundError();
    const [[named]] = await this.named(who.schoolId, [[task]]);
    return named!;
  }

  /** Fills in the custodians' and doers' names, read through the people module. */
  private async named<T extends TakedownListRow[][]>(schoolId: string, lists: T): Promise<T> {
    const ids = lists
      .flat()
      .flatMap((t) => [t.custodianId, t.doneBy])
      .filter((x): x is string => !!x);
    if (ids.length === 0) return lists;
    const names = await this.deps.people.displayNames(this.db, schoolId, {
      staff: [...new Set(ids)],
      parents: [],
      pupils: [],
    });
    return lists.map((list) =>
      list.map((t) => ({
        ...t,
        custodianName: t.custodianId ? (names.staff.get(t.custodianId) ?? null) : null,
        doneByName: t.doneBy ? (names.staff.get(t.doneBy) ?? null) : null,
      })),
    ) as T;
  }

  /**
   * A person says they took an item down by hand: this task and every other open task of the same
   * publication are done, and the publication is recorded as removed.
   */
  async markDone(p: Principal, id: string, note: string): Promise<TakedownListRow> {
    const task = await this.task(p, id);
    const who = p as StaffPrincipal;
    if (!note.trim())
      throw new ValidationError({ note: 'Say where and how the post was taken down' });
    const { database, repository, clock, audit } = this.deps;
    await database.transaction(async (tx) => {
      const locked = await repository.taskForUpdate(tx.db, who.schoolId, id);
      if (!locked) throw new NotFoundError();
      if (locked.state === 'done')
        throw new ConflictError('This takedown has already been marked done.');
      if (locked.automatic)
        throw new ConflictError(
          'Lanyard takes this post down itself and keeps trying until it is done.',
        );
      const now = clock.now();
      const pub = await repository.publicationForUpdate(tx.db, who.schoolId, task.publicationId);
      if (pub && pub.state !== 'removed')
        await repository.setPublication(tx.db, who.schoolId, task.publicationId, {
          state: 'removed',
          removedAt: now,
          nextAttemptAt: null,
        });
      const open = await repository.openTasksForUpdate(
        tx.db,
        who.schoolId,
        task.publicationId,
        false,
      );
      await repository.completeTasks(
        tx.db,
        who.schoolId,
        open.map((t) => t.id),
        {
          at: now,
          by: who.id,
          note: note.trim(),
          outcome: 'removed',
        },
      );
      await audit.record(tx, {
        schoolId: who.schoolId,
        actor: { kind: 'staff', id: who.id },
        action: 'publishing.takedown-done',
        entityType: 'publication',
        entityId: task.publicationId,
        data: { tasks: open.length, taskId: id },
      });
    });
    return task;
  }

  /** Takedowns due for this person's home page: open tasks for a person, failing removals. */
  async dueFor(p: Principal): Promise<TakedownListRow[]> {
    if (p.kind !== 'staff') return [];
    let scope: { everyAccount: boolean };
    try {
      scope = await this.viewer(p);
    } catch {
      return [];
    }
    const rows = await this.deps.repository.open(
      this.db,
      p.schoolId,
      scope.everyAccount ? undefined : p.id,
    );
    return rows.filter((t) => !t.automatic || t.state === 'failed');
  }
}
