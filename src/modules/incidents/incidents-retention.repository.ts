import { and, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { incidentCases, incidentEntries, incidentPeople, incidents } from './incidents.tables.ts';
import { incidentEvidence } from './evidence/evidence.tables.ts';
import { incidentLetterEmails, incidentLetters } from './letters/letters.tables.ts';

/**
 * Retention of incidents (issue 16 item 6; `retention.incidentsYearsAfterClosing`,
 * `retention.safeguardingUntilAge`). Only closed cases are ever due. The caller (the retention
 * sweep or the DPO's erasure) decides which are due from these candidates and deletes them in
 * its transaction, after `allowRetentionDeletes` (migration 0050).
 */

/** Closed cases that are not safeguarding concerns, closed before `closedBefore`. */
export async function closedIncidentsBefore(db: Db, schoolId: string, closedBefore: Date) {
  const rows = await db
    .select({ id: incidentCases.incidentId })
    .from(incidentCases)
    .where(
      and(
        eq(incidentCases.schoolId, schoolId),
        eq(incidentCases.status, 'closed'),
        eq(incidentCases.safeguarding, false),
        eq(incidentCases.indecentImage, false),
        isNotNull(incidentCases.closedAt),
        lt(incidentCases.closedAt, closedBefore),
      ),
    );
  return rows.map((r) => r.id);
}

/** Closed safeguarding cases with the pupils on the roll named in each (for the age rule). */
export async function closedSafeguardingIncidents(db: Db, schoolId: string) {
  const rows = await db
    .select({
      id: incidentCases.incidentId,
      pupils: sql<
        string[]
      >`coalesce(array_agg(${incidentPeople.pupilId}) filter (where ${incidentPeople.pupilId} is not null), '{}')`,
    })
    .from(incidentCases)
    .leftJoin(incidentPeople, eq(incidentPeople.incidentId, incidentCases.incidentId))
    .where(
      and(
        eq(incidentCases.schoolId, schoolId),
        eq(incidentCases.status, 'closed'),
        sql`(${incidentCases.safeguarding} or ${incidentCases.indecentImage})`,
      ),
    )
    .groupBy(incidentCases.incidentId);
  return rows;
}

/** Turns on the sanctioned DELETE of append-only rows for the rest of this transaction. */
export async function allowRetentionDeletes(db: Db): Promise<void> {
  await db.execute(sql`select set_config('lanyard.retention_delete', 'on', true)`);
}

/**
 * Deletes these incidents whole (letters and their emails, evidence, people, entries, case,
 * report); returns the store keys of their files (evidence and letters) to remove after commit.
 */
export async function deleteIncidents(db: Db, schoolId: string, ids: string[]) {
  if (!ids.length) return { deleted: 0, evidenceKeys: [] as string[], letterKeys: [] as string[] };
  await allowRetentionDeletes(db);
  const letters = await db
    .select({ id: incidentLetters.id, key: incidentLetters.storageKey })
    .from(incidentLetters)
    .where(and(eq(incidentLetters.schoolId, schoolId), inArray(incidentLetters.incidentId, ids)));
  if (letters.length)
    await db.delete(incidentLetterEmails).where(
      inArray(
        incidentLetterEmails.letterId,
        letters.map((l) => l.id),
      ),
    );
  await db
    .delete(incidentLetters)
    .where(and(eq(incidentLetters.schoolId, schoolId), inArray(incidentLetters.incidentId, ids)));
  const evidence = await db
    .delete(incidentEvidence)
    .where(and(eq(incidentEvidence.schoolId, schoolId), inArray(incidentEvidence.incidentId, ids)))
    .returning({ key: incidentEvidence.storageKey });
  await db
    .delete(incidentPeople)
    .where(and(eq(incidentPeople.schoolId, schoolId), inArray(incidentPeople.incidentId, ids)));
  await db
    .delete(incidentEntries)
    .where(and(eq(incidentEntries.schoolId, schoolId), inArray(incidentEntries.incidentId, ids)));
  await db
    .delete(incidentCases)
    .where(and(eq(incidentCases.schoolId, schoolId), inArray(incidentCases.incidentId, ids)));
  const gone = await db
    .delete(incidents)
    .where(and(eq(incidents.schoolId, schoolId), inArray(incidents.id, ids)))
    .returning({ id: incidents.id });
  return {
    deleted: gone.length,
    evidenceKeys: evidence.map((e) => e.key),
    letterKeys: letters.map((l) => l.key),
  };
}

/**
 * Staff that kept incidents name with no foreign key (the retention sweep keeps a former member of
 * staff's own record while these do, so the case still says who): who reported it (a member of
 * staff reporter), who it was assigned to or restricted to (the case's current lists and every
 * assignment or restriction in its chronology), and who uploaded evidence. Each list is keyed by
 * what names them. School-scoped; one statement each. The entries' and reports' own
 * `actor_staff_id` is a foreign key and needs no asking.
 */
export async function staffNamedInIncidents(
  db: Db,
  schoolId: string,
): Promise<{
  incident_reports: string[];
  incident_assignments: string[];
  incident_evidence: string[];
}> {
  const reporters = await db
    .selectDistinct({ id: incidents.reporterId })
    .from(incidents)
    .where(and(eq(incidents.schoolId, schoolId), eq(incidents.reporterKind, 'staff')));
  const assigned = await db.execute<{ id: string }>(sql`
    SELECT DISTINCT unnest(${incidentCases.assignedStaffIds} || ${incidentCases.deputyStaffIds})::text AS id
      FROM ${incidentCases} WHERE ${incidentCases.schoolId} = ${schoolId}
    UNION
    SELECT DISTINCT jsonb_array_elements_text(${incidentEntries.data} -> 'staffIds') AS id
      FROM ${incidentEntries}
     WHERE ${incidentEntries.schoolId} = ${schoolId}
       AND ${incidentEntries.kind} IN ('assignment', 'restricted')
       AND jsonb_typeof(${incidentEntries.data} -> 'staffIds') = 'array'`);
  const uploaders = await db
    .selectDistinct({ id: incidentEvidence.uploadedById })
    .from(incidentEvidence)
    .where(
      and(eq(incidentEvidence.schoolId, schoolId), eq(incidentEvidence.uploadedByKind, 'staff')),
    );
  return {
    incident_reports: reporters.map((r) => r.id),
    incident_assignments: assigned.rows.map((r) => r.id),
    incident_evidence: uploaders.map((r) => r.id),
  };
}
