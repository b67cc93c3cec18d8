import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import { incidents } from '../incidents.tables.ts';
import { incidentEvidence } from './evidence.tables.ts';

export type EvidenceRow = typeof incidentEvidence.$inferSelect;
export type NewEvidenceRow = typeof incidentEvidence.$inferInsert;

/** Queries on the evidence of incidents; every one is scoped by school. Rows are never changed. */
export class EvidenceRepository {
  async insert(db: Db, rows: NewEvidenceRow[]): Promise<void> {
    if (rows.length > 0) await db.insert(incidentEvidence).values(rows);
  }

  /** Which of these store keys a row of the school's evidence names (the orphan sweep). */
  async storageKeysIn(db: Db, schoolId: string, keys: string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const rows = await db
      .select({ key: incidentEvidence.storageKey })
      .from(incidentEvidence)
      .where(
        and(eq(incidentEvidence.schoolId, schoolId), inArray(incidentEvidence.storageKey, keys)),
      );
    return rows.map((r) => r.key);
  }

  async get(
    db: Db,
    schoolId: string,
    incidentId: string,
    id: string,
  ): Promise<EvidenceRow | undefined> {
    const rows = await db
      .select()
      .from(incidentEvidence)
      .where(
        and(
          eq(incidentEvidence.schoolId, schoolId),
          eq(incidentEvidence.incidentId, incidentId),
          eq(incidentEvidence.id, id),
        ),
      )
      .limit(1);
    return rows[0];
  }

  async listFor(db: Db, schoolId: string, incidentId: string): Promise<EvidenceRow[]> {
    return db
      .select()
      .from(incidentEvidence)
      .where(
        and(eq(incidentEvidence.schoolId, schoolId), eq(incidentEvidence.incidentId, incidentId)),
      )
      .orderBy(asc(incidentEvidence.uploadedAt), asc(incidentEvidence.id));
  }

  /**
   * The incident's own flag, read (and share-locked) in the attaching transaction: whether it is
   * a report of a nude or semi-nude image of a child, or null when there is no such incident in
   * this school.
   */
  async indecentImage(db: Db, schoolId: string, incidentId: string): Promise<boolean | null> {
    const rows = await db
      .select({ indecentImage: incidents.indecentImage })
      .from(incidents)
      .where(and(eq(incidents.schoolId, schoolId), eq(incidents.id, incidentId)))
      .for('share')
      .limit(1);
    return rows[0] ? rows[0].indecentImage : null;
  }
}
