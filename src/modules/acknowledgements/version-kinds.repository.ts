import { and, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  policyAcknowledgements,
  policyAcknowledgementSupersessions,
} from './acknowledgements.tables.ts';
import { policyAcknowledgementReminders, policyVersionKinds } from './version-kinds.tables.ts';
import type { PersonKind } from './acknowledgements.repository.ts';

export type VersionKindRow = typeof policyVersionKinds.$inferSelect;

/**
 * Substantive and minor versions, supersession and reminders (issue 16 item 2). Append-only
 * like the acknowledgements: rows are inserted, never updated or deleted. Scoped by school.
 */
export class VersionKindsRepository {
  async insertKind(db: Db, row: typeof policyVersionKinds.$inferInsert): Promise<void> {
    await db.insert(policyVersionKinds).values(row);
  }

  async kindOf(db: Db, schoolId: string, versionId: string): Promise<VersionKindRow | undefined> {
    const rows = await db
      .select()
      .from(policyVersionKinds)
      .where(
        and(
          eq(policyVersionKinds.schoolId, schoolId),
          eq(policyVersionKinds.policyVersionId, versionId),
        ),
      )
      .limit(1);
    return rows[0];
  }

  /** The school's versions marked, with their kind. */
  async kinds(db: Db, schoolId: string): Promise<VersionKindRow[]> {
    return db.select().from(policyVersionKinds).where(eq(policyVersionKinds.schoolId, schoolId));
  }

  /** Several schools' versions marked, in one statement (a trust's compliance figures). */
  async kindsForSchools(db: Db, schoolIds: readonly string[]): Promise<VersionKindRow[]> {
    if (schoolIds.length === 0) return [];
    return db
      .select()
      .from(policyVersionKinds)
      .where(inArray(policyVersionKinds.schoolId, [...new Set(schoolIds)]));
  }

  /**
   * Marks every live acknowledgement of a version before `version` superseded by the version
   * (one statement; an acknowledgement already superseded keeps its first mark). Returns how many.
   */
  async supersedeBefore(
    db: Db,
    schoolId: string,
    versionId: string,
    version: number,
    at: Date,
  ): Promise<number> {
    const result = await db.execute(sql`
      INSERT INTO ${policyAcknowledgementSupersessions}
        (acknowledgement_id, school_id, superseded_by_version_id, superseded_at)
      SELECT a.id, a.school_id, ${versionId}, ${at.toISOString()}::timestamptz
        FROM ${policyAcknowledgements} a
        LEFT JOIN ${policyAcknowledgementSupersessions} s ON s.acknowledgement_id = a.id
       WHERE a.school_id = ${schoolId} AND a.policy_version < ${version}
         AND s.acknowledgement_id IS NULL
      ON CONFLICT DO NOTHING`);
    return (result as unknown as { rowCount?: number }).rowCount ?? 0;
  }

  /** Of these people, those with a live acknowledgement of `fromVersion` or later. */
  async acknowledgedSince(
    db: Db,
    schoolId: string,
    personKind: PersonKind,
    personIds: readonly string[],
    fromVersion: number,
  ): Promise<Set<string>> {
    if (personIds.length === 0) return new Set();
    const rows = await db
      .select({ personId: policyAcknowledgements.personId })
      .from(policyAcknowledgements)
      .leftJoin(
        policyAcknowledgementSupersessions,
        eq(policyAcknowledgementSupersessions.acknowledgementId, policyAcknowledgements.id),
      )
      .where(
        and(
          eq(policyAcknowledgements.schoolId, schoolId),
          eq(policyAcknowledgements.personKind, personKind),
          inArray(policyAcknowledgements.personId, [...new Set(personIds)]),
          gte(policyAcknowledgements.policyVersion, fromVersion),
          isNull(policyAcknowledgementSupersessions.acknowledgementId),
        ),
      );
    return new Set(rows.map((r) => r.personId!).filter(Boolean));
  }

  /**
   * `acknowledgedSince` for several schools in one statement, each school with its own
   * `fromVersion`: every person of that kind with a live acknowledgement of it or later.
   */
  async acknowledgedSinceForSchools(
    db: Db,
    personKind: PersonKind,
    fromVersions: ReadonlyMap<string, number>,
  ): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    if (fromVersions.size === 0) return out;
    const lowest = Math.min(...fromVersions.values());
    const rows = await db
      .selectDistinct({
        schoolId: policyAcknowledgements.schoolId,
        personId: policyAcknowledgements.personId,
        version: policyAcknowledgements.policyVersion,
      })
      .from(policyAcknowledgements)
      .leftJoin(
        policyAcknowledgementSupersessions,
        eq(policyAcknowledgementSupersessions.acknowledgementId, policyAcknowledgements.id),
      )
      .where(
        and(
          inArray(policyAcknowledgements.schoolId, [...fromVersions.keys()]),
          eq(policyAcknowledgements.personKind, personKind),
          gte(policyAcknowledgements.policyVersion, lowest),
          isNull(policyAcknowledgementSupersessions.acknowledgementId),
        ),
      );
    for (const r of rows) {
      const from = fromVersions.get(r.schoolId);
      if (from === undefined || r.version < from || !r.personId) continue;
      const set = out.get(r.schoolId);
      if (set) set.add(r.personId);
      else out.set(r.schoolId, new Set([r.personId]));
    }
    return out;
  }

  /** Classes whose pupils' agreement is live for `fromVersion` or later. */
  async classesAgreedSince(db: Db, schoolId: string, fromVersion: number): Promise<Set<string>> {
    const rows = await db
      .select({ className: policyAcknowledgements.className })
      .from(policyAcknowledgements)
      .leftJoin(
        policyAcknowledgementSupersessions,
        eq(policyAcknowledgementSupersessions.acknowledgementId, policyAcknowledgements.id),
      )
      .where(
        and(
          eq(policyAcknowledgements.schoolId, schoolId),
          eq(policyAcknowledgements.personKind, 'pupil_class'),
          gte(policyAcknowledgements.policyVersion, fromVersion),
          isNull(policyAcknowledgementSupersessions.acknowledgementId),
        ),
      );
    return new Set(rows.map((r) => r.className!).filter(Boolean));
  }

  /** A class's agreement, once per version. */
  async insertClass(
    db: Db,
    values: {
      schoolId: string;
      className: string;
      policyVersionId: string;
      policyVersion: number;
      acknowledgedAt: Date;
      recordedBy: string;
    },
  ) {
    const rows = await db
      .insert(policyAcknowledgements)
      .values({ ...values, personKind: 'pupil_class', personId: null })
      .onConflictDoNothing({
        target: [policyAcknowledgements.policyVersionId, policyAcknowledgements.className],
        where: sql`${policyAcknowledgements.className} IS NOT NULL`,
      })
      .returning();
    return rows[0];
  }

  /** Superseded acknowledgement ids among these (the history shows them marked). */
  async supersededAmong(db: Db, schoolId: string, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await db
      .select({ id: policyAcknowledgementSupersessions.acknowledgementId })
      .from(policyAcknowledgementSupersessions)
      .where(
        and(
          eq(policyAcknowledgementSupersessions.schoolId, schoolId),
          inArray(policyAcknowledgementSupersessions.acknowledgementId, [...ids]),
        ),
      );
    return new Set(rows.map((r) => r.id));
  }

  /** Records a reminder; false when this person was already reminded of this version. */
  async recordReminder(
    db: Db,
    row: typeof policyAcknowledgementReminders.$inferInsert,
  ): Promise<boolean> {
    const rows = await db
      .insert(policyAcknowledgementReminders)
      .values(row)
      .onConflictDoNothing()
      .returning({ id: policyAcknowledgementReminders.id });
    return rows.length > 0;
  }

  /** Acknowledgements before a version that are still live (tests and the demo). */
  async liveBefore(db: Db, schoolId: string, version: number): Promise<number> {
    const rows = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(policyAcknowledgements)
      .leftJoin(
        policyAcknowledgementSupersessions,
        eq(policyAcknowledgementSupersessions.acknowledgementId, policyAcknowledgements.id),
      )
      .where(
        and(
          eq(policyAcknowledgements.schoolId, schoolId),
          lt(policyAcknowledgements.policyVersion, version),
          isNull(policyAcknowledgementSupersessions.acknowledgementId),
        ),
      );
    return rows[0]?.n ?? 0;
  }
}
