/**
 * Who has done their training and who must do it again: the register of a staff session (taking
 * it writes each person's attendance and, in the same statement, their latest date per kind in
 * `training_latest`), and the "due again" marks a new policy version or a significant incident
 * makes (the profile's `training.refreshAfterIncidentOrChange`).
 */
import type { Tx } from '../../platform/db/database.ts';
import { ukDate } from '../../platform/clock.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import { formatCitation, type PolicySettings } from '../policies/index.ts';
import type { SessionRow } from './training.repository.ts';
import { kindAudience, type TrainingSessionKey } from './training-status.ts';
import { TrainingPart, type DueAgainReason, type TrainingDeps } from './training-shared.ts';
import type { TrainingSessions } from './training-sessions.service.ts';

export class TrainingAttendance extends TrainingPart {
  constructor(
    deps: TrainingDeps,
    private readonly sessions: TrainingSessions,
  ) {
    super(deps);
  }

  // The register.

  /**
   * Who is expected at a staff session, with whether they attended and (induction) whether they
   * have acknowledged the current policy.
   */
  async register(schoolId: string, session: SessionRow) {
    const { database, repository, people, acknowledgements } = this.deps;
    if (session.audience !== 'staff') return [];
    const [roster, attendance] = await Promise.all([
      people.staffRoster(database.db, schoolId),
      repository.attendanceFor(database.db, schoolId, session.id),
    ]);
    const acknowledged = await acknowledgements.acknowledgedCurrent(
      schoolId,
      roster.map((s) => s.id),
    );
    const attended = new Set(attendance.filter((a) => a.attended).map((a) => a.personId));
    return roster.map((s) => ({
      id: s.id,
      name: `${s.givenName} ${s.familyName}`,
      roles: s.roles,
      attended: attended.has(s.id),
      acknowledged: acknowledged.has(s.id),
    }));
  }

  /**
   * Takes the register for a staff session (in the room, or from an import): the ticked people
   * attended, everyone else expected did not. At a staff induction session, while the profile
   * says `training.inductionNeedsAcknowledgement`, a person who has not acknowledged the current
   * policy version cannot be marked as attending (ValidationError naming them).
   */
  async recordAttendance(
    schoolId: string,
    actor: Actor,
    sessionId: string,
    attendedIds: readonly string[],
    source: 'room' | 'import' = 'room',
    tx?: Tx,
  ): Promise<{ attended: number; absent: number }> {
    const { database, repository, audit, clock } = this.deps;
    const session = await this.sessions.getSession(schoolId, sessionId);
    if (session.audience !== 'staff') throw new NotFoundError();
    const expected = await this.register(schoolId, session);
    const byId = new Map(expected.map((e) => [e.id, e]));
    const ticked = new Set(attendedIds);
    for (const id of ticked) {
      if (!byId.has(id)) throw new ValidationError({ attended: 'Choose people from the list' });
    }
    const training = await this.settings(schoolId);
    if (session.kind === 'staff_induction' && training.inductionNeedsAcknowledgement.value) {
      const missing = [...ticked].map((id) => byId.get(id)!).filter((p) => !p.acknowledged);
      if (missing.length > 0) {
        const names = missing.map((p) => p.name).join(', ');
        throw new ValidationError({
          attended: `${names} cannot be marked as inducted until they have acknowledged the current version of the policy (${formatCitation(training.inductionNeedsAcknowledgement.citation)})`,
        });
      }
    }
    const now = clock.now();
    const attendedOn = ukDate(session.startsAt);
    const write = async (t: Tx) => {
      await repository.upsertAttendance(
        t.db,
        expected.map((e) => ({
          schoolId,
          sessionId,
          kind: session.kind,
          personKind: 'staff',
          personId: e.id,
          attended: ticked.has(e.id),
          attendedOn,
          source,
          recordedBy: actor.kind === 'staff' ? actor.id : null,
          recordedAt: now,
        })),
      );
      await audit.record(t, {
        schoolId,
        actor,
        action: 'training.attendance-recorded',
        entityType: 'training_session',
        entityId: sessionId,
        data: {
          kind: session.kind,
          attended: ticked.size,
          absent: expected.length - ticked.size,
          source,
        },
      });
    };
    if (tx) await write(tx);
    else await database.transaction(write);
    return { attended: ticked.size, absent: expected.length - ticked.size };
  }

  // Refresh rules (the profile's `training.refreshAfterIncidentOrChange`).

  /**
   * A significant incident or a new policy version makes the training of these members of
   * staff due again (the profile's `training.refreshAfterIncidentOrChange`; off: nothing). Marks
   * `kinds` (by default regular staff training) that the profile requires; a mark for the same
   * reason and reference is made once. The incidents module calls this for a significant
   * incident (docs/training.md, "Refresh rules"). In `tx` when given.
   */
  async markDueAgain(
    schoolId: string,
    reason: DueAgainReason,
    staffIds: readonly string[],
    options: {
      tx?: Tx;
      kinds?: TrainingSessionKey[];
      actor?: Actor;
      /** The rules to apply, when not the current version's (a version being published). */
      training?: PolicySettings['training'];
    } = {},
  ): Promise<number> {
    const training = options.training ?? (await this.settings(schoolId));
    if (!training.refreshAfterIncidentOrChange.value || staffIds.length === 0) return 0;
    const kinds = (options.kinds ?? ['staff_regular']).filter(
      (k) => kindAudience[k] === 'staff' && training.sessions[k].value.required,
    );
    if (kinds.length === 0) return 0;
    const now = this.deps.clock.now();
    const work = async (tx: Tx) => {
      const marked = await this.deps.repository.insertDueAgain(
        tx.db,
        staffIds.flatMap((staffId) =>
          kinds.map((kind) => ({
            schoolId,
            staffId,
            kind,
            reason: reason.reason,
            reference: reason.reference,
            markedOn: ukDate(now),
            markedAt: now,
          })),
        ),
      );
      if (marked > 0) {
        await this.deps.audit.record(tx, {
          schoolId,
          actor: options.actor ?? { kind: 'system', id: null },
          action: 'training.marked-due-again',
          entityType: 'school',
          entityId: schoolId,
          data: { reason: reason.reason, reference: reason.reference, kinds, marked },
        });
      }
      return marked;
    };
    return options.tx ? work(options.tx) : this.deps.database.transaction(work);
  }

  /**
   * The outbox listener: a new policy version makes every active member of staff due again, by
   * the rules of that version (read in the publishing transaction: a version that turns the
   * refresh rule off marks nobody, one that turns it on marks everyone).
   */
  async onPolicyVersionPublished(tx: Tx, schoolId: string, version: number): Promise<number> {
    const settings = await this.deps.policies.versionSettings(tx, schoolId, version);
    const roster = await this.deps.people.staffRoster(tx.db, schoolId);
    return this.markDueAgain(
      schoolId,
      { reason: 'policy_version', reference: String(version) },
      roster.map((s) => s.id),
      { tx, training: settings.training },
    );
  }
}
