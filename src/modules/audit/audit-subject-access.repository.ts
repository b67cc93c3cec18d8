import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { auditEvents } from './audit.tables.ts';

/** A UUID as Lanyard writes ids (lowercase): what the people index holds (migration 0059). */
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The school's audit entries about one person: the entry's subject is them, they did it, or its
 * data names their id anywhere, however deep (e.g. a consent record's pupil), for a subject
 * access request (issue 16 item 5). School-scoped; one statement.
 *
 * Found through `audit_events_people_idx` (migration 0059): a GIN index over
 * `audit_event_ids(entity_id, actor_id, data)`, every lowercase UUID the entry names, so the
 * school's log is not read through (docs/subject-access.md has the figures). It finds exactly
 * the entries `entity_id = id or actor_id = id or strpos(data::text, id) > 0` found; an id that
 * is not a lowercase UUID (none Lanyard stores) is still looked up that older way.
 */
export async function auditAboutPerson(db: Db, schoolId: string, personId: string) {
  const names = LOWER_UUID.test(personId)
    ? sql`audit_event_ids(${auditEvents.entityId}, ${auditEvents.actorId}, ${auditEvents.data}) @> array[${personId}::uuid]`
    : or(
        eq(auditEvents.entityId, personId),
        eq(auditEvents.actorId, personId),
        sql`strpos(${auditEvents.data}::text, ${personId}) > 0`,
      );
  return db
    .select({
      seq: auditEvents.seq,
      occurredAt: auditEvents.occurredAt,
      actorKind: auditEvents.actorKind,
      actorId: auditEvents.actorId,
      action: auditEvents.action,
      entityType: auditEvents.entityType,
      entityId: auditEvents.entityId,
      data: auditEvents.data,
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.schoolId, schoolId), names))
    .orderBy(asc(auditEvents.seq));
}
export type AuditAboutPerson = Awaited<ReturnType<typeof auditAboutPerson>>;
