/**
 * Takedown's event fan-out: `consent.changed` events become takedown tasks (one per publication +
 * pupil + event), and the withdrawal receipt's view of what comes down.
 */
import type { Database } from '../../../platform/db/database.ts';
import { NotFoundError } from '../../../errors.ts';
import type { AffectedPublication } from './takedown.repository.ts';
import {
  AUTOMATIC_KINDS,
  DAY_MS,
  takedownDueDays,
  type ConsentChangedPayload,
  type TakedownRunResult,
  type TakedownDeps,
} from './takedown-deps.ts';

export class TakedownEvents {
  constructor(private readonly deps: TakedownDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** Turns waiting `consent.changed` events into takedown tasks. Safe to run twice or at once. */
  async processEvents(batch = 100): Promise<TakedownRunResult> {
    const total: TakedownRunResult = { events: 0, tasks: 0 };
    for (;;) {
      const r = await this.deps.database.transaction(async (tx) => {
        const events = await this.deps.events.claimUnhandled(tx, 'consent.changed', batch);
        let tasks = 0;
        for (const event of events) {
          tasks += await this.tasksFor(
            tx,
            event.id,
            event.schoolId,
            event.payload as ConsentChangedPayload,
          );
          // The consumer's cursor: handled in the same transaction as the tasks it made.
          await this.deps.events.markHandled(tx, event.id);
        }
        return { events: events.length, tasks };
      });
      total.events += r.events;
      total.tasks += r.tasks;
      if (r.events < batch) return total;
    }
  }

  private async tasksFor(
    tx: Parameters<Parameters<Database['transaction']>[0]>[0],
    eventId: number,
    schoolId: string,
    payload: ConsentChangedPayload,
  ): Promise<number> {
    // Only a change to "may not appear" can take anything down.
    if (!payload?.pupilId || !payload.changes?.some((c) => c.before && !c.after)) return 0;
    const { repository, clock } = this.deps;
    const settings = (await this.deps.policies.current(schoolId)).settings;
    if (!settings.consent.takedownWherePracticable.value) return 0;
    const affected = await repository.affectedPublications(tx.db, schoolId, payload.pupilId);
    if (affected.length === 0) return 0;
    const refused = await this.refusedPurposes(schoolId, payload.pupilId, affected);
    const now = clock.now();
    const due = new Date(now.getTime() + takedownDueDays(settings) * DAY_MS);
    const labels = new Map(settings.consent.purposes.value.map((p) => [p.key, p.label]));
    const rows = affected
      .filter((a) => refused.has(a.purposeKey))
      .map((a) => {
        const automatic = AUTOMATIC_KINDS.includes(a.accountKind);
        return {
          publicationId: a.publicationId,
          reason: `A pupil in this post may no longer appear in photos for ${labels.get(a.purposeKey) ?? 'this use'}: their consent changed.`,
          automatic,
          dueAt: automatic ? now : due,
          nextAttemptAt: automatic ? now : null,
        };
      });
    const created = await repository.insertTasks(
      tx.db,
      { schoolId, pupilId: payload.pupilId, sourceEventId: eventId, createdAt: now },
      rows,
    );
    if (created.length > 0) {
      await this.deps.audit.record(tx, {
        schoolId,
        actor: { kind: 'system', id: null },
        action: 'publishing.takedown-tasks-created',
        entityType: 'pupil',
        entityId: payload.pupilId,
        data: {
          eventId,
          recordId: payload.recordId,
          tasks: created.length,
          automatic: rows.filter((r) => r.automatic).length,
        },
      });
    }
    return created.length;
  }

  /** The purposes (of these publications) this pupil may no longer appear in, asked at now. */
  private async refusedPurposes(
    schoolId: string,
    pupilId: string,
    affected: AffectedPublication[],
  ): Promise<Set<string>> {
    const purposes = [...new Set(affected.map((a) => a.purposeKey))];
    try {
      const answers = await this.deps.consent.mayMany(
        schoolId,
        purposes.map((purpose) => ({ pupilId, purpose, mediaType: 'image' as const })),
      );
      return new Set(answers.filter((a) => !a.allowed).map((a) => a.purpose));
    } catch (e) {
      // A pupil the register no longer knows may not appear anywhere (fail closed).
      if (e instanceof NotFoundError) return new Set(purposes);
      throw e;
    }
  }
  // ---------------------------------------------------------------------------------------
  // For the withdrawal receipt

  /**
   * What comes down because of a statement recorded at `since` for this pupil, by channel: the
   * takedown tasks made since then, and (until the takedown job has run) the live items whose
   * purpose the pupil may no longer appear in. For the parent's receipt.
   */
  async removalsFor(schoolId: string, pupilId: string, since: Date): Promise<ReceiptRemoval[]> {
    const settings = (await this.deps.policies.current(schoolId)).settings;
    if (!settings.consent.takedownWherePracticable.value) return [];
    const [tasks, affected] = await Promise.all([
      this.deps.repository.tasksOfPupilSince(this.db, schoolId, pupilId, since),
      this.deps.repository.affectedPublications(this.db, schoolId, pupilId),
    ]);
    const byChannel = new Map<string, ReceiptRemoval & { ids: Set<string> }>();
    const add = (id: string, channel: string, automatic: boolean, dueAt: Date | null) => {
      const entry = byChannel.get(channel) ?? {
        channel,
        items: 0,
        automatic,
        dueAt: null,
        ids: new Set<string>(),
      };
      if (entry.ids.has(id)) return;
      entry.ids.add(id);
      entry.items++;
      if (!automatic && dueAt && (!entry.dueAt || dueAt > entry.dueAt)) entry.dueAt = dueAt;
      entry.automatic = entry.automatic && automatic;
      byChannel.set(channel, entry);
    };
    for (const t of tasks) add(t.publicationId, t.accountName, t.automatic, t.dueAt);
    const pending = affected.filter((a) => !tasks.some((t) => t.publicationId === a.publicationId));
    if (pending.length > 0) {
      const refused = await this.refusedPurposes(schoolId, pupilId, pending);
      const due = new Date(this.deps.clock.now().getTime() + takedownDueDays(settings) * DAY_MS);
      for (const a of pending.filter((p) => refused.has(p.purposeKey))) {
        const automatic = AUTOMATIC_KINDS.includes(a.accountKind);
        add(a.publicationId, a.accountName, automatic, automatic ? null : due);
      }
    }
    return [...byChannel.values()]
      .map(({ ids: _ids, ...r }) => r)
      .sort((a, b) => a.channel.localeCompare(b.channel));
  }
}

/** One line of a withdrawal receipt: what comes down where, and by when. */
export interface ReceiptRemoval {
  /** The channel's name, e.g. "School news page". */
  channel: string;
  /** How many posts showing the child come down there. */
  items: number;
  /** Lanyard removes them itself (else a named person at the school does, by `dueAt`). */
  automatic: boolean;
  dueAt: Date | null;
}
