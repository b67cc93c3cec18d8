import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { policyAcknowledgements } from './acknowledgements.tables.ts';

export type AcknowledgementRow = typeof policyAcknowledgements.$inferSelect;
export type PersonKind = 'staff' | 'parent';

/**
 * Queries on acknowledgements; every one is scoped by school. Append-only: there is no update
 * and no delete (a superseded acknowledgement gets a row in the supersessions table).
 */
export class AcknowledgementsRepository {
  /** Records one; an acknowledgement of the same version by the same person changes nothing. */
  async insertPerson(
    db: Db,
    values: {
      schoolId: string;
      personKind: PersonKind;
      personId: string;
      policyVersionId: string;
      policyVersion: number;
      acknowledgedAt: Date;
      recordedBy: string | null;
    },
  ): Promise<AcknowledgementRow | undefined> {
    const rows = await db
      .insert(policyAcknowledgements)
      .values({ ...values, className: null })
      .onConflictDoNothing({
        target: [
          policyAcknowledgements.policyVersionId,
          policyAcknowledgements.personKind,
          policyAcknowledgements.personId,
        ],
        where: sql`${policyAcknowledgements.personId} IS NOT NULL`,
      })
      .returning();
    return rows[0];
  }

  /** A person's acknowledgements, newest first. */
  async forPerson(
    db: Db,
    schoolId: string,
    personKind: PersonKind,
    personId: string,
  ): Promise<AcknowledgementRow[]> {
    return db
      .select()
      .from(policyAcknowledgements)
      .where(
        and(
          eq(policyAcknowledgements.schoolId, schoolId),
          eq(policyAcknowledgements.personKind, personKind),
          eq(policyAcknowledgements.personId, personId),
        ),
      )
      .orderBy(desc(policyAcknowledgements.acknowledgedAt));
  }

  /**
   * Each person's latest acknowledged version for a school, one statement (the compliance view
   * and the training status use it; index policy_acknowledgements_school_person).
   */
  async latestBySchool(
    db: Db,
    schoolId: string,
    personKind: PersonKind,
  ): Promise<{ personId: string; version: number; acknowledgedAt: Date }[]> {
    const rows = await db
      .selectDistinctOn([policyAcknowledgements.personId], {
        personId: policyAcknowledgements.personId,
        version: policyAcknowledgements.policyVersion,
        acknowledgedAt: policyAcknowledgements.acknowledgedAt,
      })
      .from(policyAcknowledgements)
      .where(
        and(
          eq(policyAcknowledgements.schoolId, schoolId),
          eq(policyAcknowledgements.personKind, personKind),
        ),
      )
      .orderBy(policyAcknowledgements.personId, desc(policyAcknowledgements.acknowledgedAt));
    return rows.map((r) => ({ ...r, personId: r.personId! }));
  }

  /** Bulk insert (the demo seed). */
  async insertMany(db: Db, rows: (typeof policyAcknowledgements.$inferInsert)[]): Promise<void> {
    if (rows.length > 0) await db.insert(policyAcknowledgements).values(rows).onConflictDoNothing();
  }
}
