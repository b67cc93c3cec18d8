import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Append-only, hash-chained audit log (SPEC §3.10). One chain per school ('school:<id>') plus a
 * 'global' chain. A trigger (migration 0001) refuses UPDATE and DELETE.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    chain: text('chain').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    schoolId: uuid('school_id'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    data: jsonb('data').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_events_chain_seq_key').on(t.chain, t.seq),
    index('audit_events_school_idx').on(t.schoolId, t.id),
    index('audit_events_entity_idx').on(t.schoolId, t.entityType, t.entityId),
    // Every person an entry names (its subject, its actor, any id in its data): a subject access
    // request's lookup (audit-subject-access.repository.ts). An expression index over the
    // function of migration 0059, so nothing is added to the rows or to what is hashed.
    index('audit_events_people_idx').using(
      'gin',
      sql`audit_event_ids(${t.entityId}, ${t.actorId}, ${t.data})`,
    ),
  ],
);
