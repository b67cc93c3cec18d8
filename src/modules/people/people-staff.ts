/**
 * Managing staff in the app: adding a member of staff (with the invitation job that emails
 * them a link to set a password), changing their details, roles or whether they are active, and
 * sending a new invitation. Each change is one transaction and one audit event.
 */
import { isUniqueViolation } from '../../platform/db/database.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import { roleLabels, type StaffPrincipal, type StaffRole } from '../auth/index.ts';
import { systemActor } from '../audit/index.ts';
import { canChangeStaffMember, canGrantRole, canManageStaff } from './people.policy.ts';
import type { StaffInput, StaffPatch } from './people.forms.ts';
import { actorOf, todayIn, type PeopleDeps } from './people-deps.ts';
import { resolveLeave } from './staff-leave.ts';

export class StaffManagement {
  constructor(private readonly deps: PeopleDeps) {}

  /** The school's titles for the staff roles (`people.roleTitles`), for the messages below. */
  private async titles(schoolId: string): Promise<Record<string, string>> {
    return { ...roleLabels, ...(await this.deps.roleTitles?.(schoolId)) };
  }

  private roleErrors(
    principal: StaffPrincipal,
    roles: Iterable<string>,
    t: Record<string, string>,
  ): FieldErrors {
    for (const role of roles) {
      if (!canGrantRole(principal, role as StaffRole)) {
        return { roles: `Only the ${t.headteacher} can give or take away the ${t[role]} role` };
      }
    }
    return {};
  }

  private static protectedAccount(t: Record<string, string>): string {
    return `Only the ${t.headteacher} can change the account of a ${t.headteacher}, ${t.dsl} or ${t.dpo}`;
  }

  /**
   * Adds a member of staff with their roles. They have no password yet: the invitation job,
   * enqueued in the same transaction, emails them a one-time link to set one.
   */
  async addStaff(principal: StaffPrincipal, input: StaffInput) {
    if (!canManageStaff(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const errors = this.roleErrors(principal, input.roles, await this.titles(schoolId));
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
            startDate: todayIn(this.deps.clock),
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
        actor: actorOf(principal),
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
   * Changes a member of staff: details, roles, active, line manager, leave date (today or
   * earlier deactivates them, a later date keeps them active until then: staff-leave.ts). Deactivating ends their access within
   * seconds (a session or API token is checked against `active` each time it is loaded, and a
   * process keeps a loaded session for up to five seconds); their history stays. The school always
   * keeps an active Headteacher, and nobody deactivates themself.
   */
  async updateStaff(principal: StaffPrincipal, staffId: string, patch: StaffPatch) {
    if (!canManageStaff(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const t = await this.titles(schoolId);
    return this.deps.database.transaction(async (tx) => {
      const heads = await this.deps.changes.lockActiveWithRole(tx.db, schoolId, 'headteacher');
      const old = await this.deps.repository.getStaff(tx.db, schoolId, staffId);
      if (!old) throw new NotFoundError();
      if (!canChangeStaffMember(principal, old)) {
        throw new ForbiddenError(StaffManagement.protectedAccount(t));
      }
      const roles = patch.roles ? [...new Set(patch.roles)].sort() : [...old.roles].sort();
      const added = roles.filter((r) => !old.roles.includes(r));
      const removed = old.roles.filter((r) => !roles.includes(r as StaffRole));
      const errors = this.roleErrors(principal, [...added, ...removed], t);
      // The leave date and `active` are decided together (staff-leave.ts).
      const leave = resolveLeave({
        today: todayIn(this.deps.clock),
        startDate: old.startDate,
        old,
        active: patch.active,
        leaveDate: patch.leaveDate,
      });
      if (!leave.ok) errors[leave.field] ??= leave.message;
      const active = leave.ok ? leave.active : old.active;
      const leaveDate = leave.ok ? leave.leaveDate : old.leaveDate;
      // A refusal caused by a leave date is shown beside the leave date.
      const activeField = patch.active === undefined && patch.leaveDate ? 'leaveDate' : 'active';
      if (!active && old.active && staffId === principal.id) {
        errors[activeField] ??= 'You cannot deactivate your own account';
      }
      const stillHead = active && roles.includes('headteacher');
      if (heads.includes(staffId) && !stillHead && heads.length === 1) {
        errors[patch.roles ? 'roles' : activeField] ??=
          `The school must keep an active ${t.headteacher}: give another member of staff the ${t.headteacher} role first`;
      }
      const lineManagerId =
        patch.lineManagerId !== undefined ? patch.lineManagerId : old.lineManagerId;
      if (lineManagerId !== old.lineManagerId && lineManagerId !== null) {
        const problem = await this.lineManagerProblem(tx.db, schoolId, staffId, lineManagerId);
        if (problem) errors.lineManagerId = problem;
      }
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const details = {
        givenName: patch.givenName ?? old.givenName,
        familyName: patch.familyName ?? old.familyName,
        jobTitle: patch.jobTitle !== undefined ? patch.jobTitle : old.jobTitle,
        lineManagerId,
        leaveDate,
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
      await this.deps.changes.updateStaff(tx.db, schoolId, staffId, {
        ...details,
        active,
        updatedAt: now,
      });
      if (added.length || removed.length) {
        await this.deps.changes.setStaffRoles(tx.db, schoolId, staffId, roles);
      }
      const action =
        active !== old.active
          ? active
            ? 'people.staff-reactivated'
            : 'people.staff-deactivated'
          : 'people.staff-changed';
      await this.deps.audit.record(tx, {
        schoolId,
        actor: actorOf(principal),
        action,
        entityType: 'staff',
        entityId: staffId,
        data: {
          changed,
          rolesAdded: added,
          rolesRemoved: removed,
          ...(changed.includes('leaveDate') ? { leaveDate } : {}),
        },
      });
      return (await this.deps.repository.getStaff(tx.db, schoolId, staffId))!;
    });
  }

  /**
   * The hourly `people.staff-leavers` job: deactivates each active member of staff whose leave
   * date has come, as the Deactivate button would (one transaction and one
   * `people.staff-deactivated` event each, by the system). The school's last active Headteacher is
   * kept active (a school without one could not give the role again) and counted in `keptHeads`.
   * Safe to run twice: someone already deactivated is skipped.
   */
  async deactivateLeavers(): Promise<{ deactivated: number; keptHeads: number }> {
    const today = todayIn(this.deps.clock);
    const due = await this.deps.changes.activeLeavers(this.deps.database.db, today);
    let deactivated = 0;
    let keptHeads = 0;
    for (const { id, schoolId } of due) {
      const outcome = await this.deps.database.transaction(async (tx) => {
        const heads = await this.deps.changes.lockActiveWithRole(tx.db, schoolId, 'headteacher');
        const member = await this.deps.repository.getStaff(tx.db, schoolId, id);
        if (!member?.active || !member.leaveDate || member.leaveDate > today) return 'skipped';
        if (heads.length === 1 && heads[0] === id) return 'kept';
        await this.deps.changes.updateStaff(tx.db, schoolId, id, {
          active: false,
          updatedAt: this.deps.clock.now(),
        });
        await this.deps.audit.record(tx, {
          schoolId,
          actor: systemActor,
          action: 'people.staff-deactivated',
          entityType: 'staff',
          entityId: id,
          data: { changed: ['active'], leaveDate: member.leaveDate, reason: 'leave-date' },
        });
        return 'deactivated';
      });
      if (outcome === 'deactivated') deactivated += 1;
      if (outcome === 'kept') keptHeads += 1;
    }
    return { deactivated, keptHeads };
  }

  /**
   * Why this person cannot be `staffId`'s line manager, or null: they must be an active member
   * of staff of the same school, not the person themself, and not someone who reports (directly
   * or further down) to them.
   */
  private async lineManagerProblem(
    db: Parameters<PeopleDeps['repository']['lineManagerLinks']>[0],
    schoolId: string,
    staffId: string,
    managerId: string,
  ): Promise<string | null> {
    if (managerId === staffId) return 'A member of staff cannot be their own line manager';
    const links = new Map(
      (await this.deps.repository.lineManagerLinks(db, schoolId)).map((l) => [l.id, l]),
    );
    const manager = links.get(managerId);
    if (!manager || !manager.active)
      return 'Select their line manager from the list of current staff';
    for (let at: string | null = managerId, steps = 0; at && steps <= links.size; steps += 1) {
      if (at === staffId) return 'Their line manager cannot be someone who reports to them';
      at = links.get(at)?.lineManagerId ?? null;
    }
    return null;
  }

  /**
   * "Send a new invitation": for an active member of staff who has not set a password yet (their
   * invitation expired, or the email went astray). A new link replaces the old one.
   */
  async inviteStaffAgain(principal: StaffPrincipal, staffId: string): Promise<void> {
    if (!canManageStaff(principal)) throw new NotFoundError();
    const schoolId = principal.schoolId;
    const t = await this.titles(schoolId);
    await this.deps.database.transaction(async (tx) => {
      const member = await this.deps.repository.getStaff(tx.db, schoolId, staffId);
      if (!member) throw new NotFoundError();
      if (!canChangeStaffMember(principal, member)) {
        throw new ForbiddenError(StaffManagement.protectedAccount(t));
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
        actor: actorOf(principal),
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
