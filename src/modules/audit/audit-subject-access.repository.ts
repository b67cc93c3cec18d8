import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { auditEvents } from './audit.tables.ts';

/**
 * The school's audit entries about one person: the entry's subject is them, they did it, or its
 * data names their id (e.g. a consent record's pupil), for a subject access request (issue 16
 * item 5). School-scoped; one statement.
 */
export async function auditAboutPerson(db: Db, schoolId: string, personId: string) {
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
    .where(
      and(
        eq(auditEvents.schoolId, schoolId),
        or(
          eq(auditEvents.entityId, personId),
          eq(auditEvents.actorId, personId),
          sql`strpos(${auditEvents.data}::text, ${personId}) > 0`,
        ),
      ),
    )
    .orderBy(asc(auditEvents.seq));
}
export type AuditAboutPerson = Awaited<ReturnType<typeof auditAboutPerson>>;
