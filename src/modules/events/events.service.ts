import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DomainEventRow, EventsRepository } from './events.repository.ts';

/** The events Lanyard's modules emit, and their payloads (ids and decisions only). */
export interface DomainEventPayloads {
  /**
   * A consent statement was recorded for a pupil. `changes` lists each purpose × kind whose
   * overall answer (may the pupil appear?) changed; publishing turns a change to "not allowed"
   * into takedown tasks for items already published (`consent.takedownWherePracticable`).
   */
  'consent.changed': {
    pupilId: string;
    recordId: string;
    periodKey: string;
    changes: { key: string; before: boolean; after: boolean }[];
  };
  /**
   * The Headteacher published a new version of the school's policy profile. Training marks the
   * staff it affects as due again (the profile's `training.refreshAfterIncidentOrChange`).
   */
  'policy.version-published': { versionId: string; version: number; changed: string[] };
}
export type DomainEventType = keyof DomainEventPayloads;

export type EventListener<T extends DomainEventType = DomainEventType> = (
  tx: Tx,
  schoolId: string,
  payload: DomainEventPayloads[T],
) => Promise<void>;

/**
 * A transactional outbox: an event is written in the same transaction as the change it describes,
 * so it exists if and only if the change does.
 */
export class EventsService {
  constructor(
    private readonly deps: { database: Database; repository: EventsRepository; clock: Clock },
  ) {}

  private readonly listeners = new Map<DomainEventType, EventListener[]>();

  /**
   * Work to start whenever an event of this type is written, inside its transaction (a consumer
   * enqueues its job here, so the job exists if and only if the event does).
   */
  on<T extends DomainEventType>(type: T, listener: EventListener<T>): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener as EventListener]);
  }

  async emit<T extends DomainEventType>(
    tx: Tx,
    schoolId: string,
    type: T,
    payload: DomainEventPayloads[T],
  ): Promise<number> {
    const id = await this.deps.repository.insert(tx.db, {
      schoolId,
      type,
      payload,
      createdAt: this.deps.clock.now(),
    });
    for (const listener of this.listeners.get(type) ?? []) await listener(tx, schoolId, payload);
    return id;
  }

  async list(schoolId: string, type: DomainEventType, afterId = 0): Promise<DomainEventRow[]> {
    return this.deps.repository.listForSchool(this.deps.database.db, schoolId, type, afterId);
  }

  async unhandled(type: DomainEventType, limit = 500): Promise<DomainEventRow[]> {
    return this.deps.repository.listUnhandled(this.deps.database.db, type, limit);
  }

  /**
   * For a consumer, inside its transaction: the oldest unhandled events of a type, locked so two
   * workers never take the same one. Marking each handled (`markHandled`) in that transaction is
   * the consumer's cursor: the work and the mark commit together, or neither does.
   */
  async claimUnhandled(tx: Tx, type: DomainEventType, limit: number): Promise<DomainEventRow[]> {
    return this.deps.repository.lockUnhandled(tx.db, type, limit);
  }

  async markHandled(tx: Tx, id: number): Promise<void> {
    await this.deps.repository.markHandled(tx.db, id, this.deps.clock.now());
  }
}
