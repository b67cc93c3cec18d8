import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import {
  incidentLetterEmails,
  incidentLetterTemplateVersions,
  incidentLetters,
} from './letters.tables.ts';

export type LetterTemplateVersionRow = typeof incidentLetterTemplateVersions.$inferSelect;
export type LetterRow = typeof incidentLetters.$inferSelect;
/** A letter without its PDF bytes (lists and pages). */
export type LetterListRow = Omit<LetterRow, 'pdf'> & {
  emailedAt: Date | null;
  emailedTo: string | null;
};

const listColumns = {
  id: incidentLetters.id,
  schoolId: incidentLetters.schoolId,
  incidentId: incidentLetters.incidentId,
  templateKey: incidentLetters.templateKey,
  templateVersionId: incidentLetters.templateVersionId,
  title: incidentLetters.title,
  recipientName: incidentLetters.recipientName,
  recipientEmail: incidentLetters.recipientEmail,
  subject: incidentLetters.subject,
  body: incidentLetters.body,
  storageKey: incidentLetters.storageKey,
  pdfSha256: incidentLetters.pdfSha256,
  pdfSize: incidentLetters.pdfSize,
  createdBy: incidentLetters.createdBy,
  createdAt: incidentLetters.createdAt,
  emailedAt: incidentLetterEmails.sentAt,
  emailedTo: incidentLetterEmails.sentTo,
};

/** Queries on letter templates and the letters made from them; every one scoped by school. */
export class LettersRepository {
  /** Every template version of the school, newest first. */
  async templateVersions(db: Db, schoolId: string): Promise<LetterTemplateVersionRow[]> {
    return db
      .select()
      .from(incidentLetterTemplateVersions)
      .where(eq(incidentLetterTemplateVersions.schoolId, schoolId))
      .orderBy(
        desc(incidentLetterTemplateVersions.editedAt),
        desc(incidentLetterTemplateVersions.id),
      );
  }

  async createTemplateVersion(
    db: Db,
    values: typeof incidentLetterTemplateVersions.$inferInsert,
  ): Promise<LetterTemplateVersionRow> {
    const rows = await db.insert(incidentLetterTemplateVersions).values(values).returning();
    return rows[0]!;
  }

  async createLetter(db: Db, values: typeof incidentLetters.$inferInsert): Promise<{ id: string }> {
    const rows = await db
      .insert(incidentLetters)
      .values(values)
      .returning({ id: incidentLetters.id });
    return rows[0]!;
  }

  async listForIncident(db: Db, schoolId: string, incidentId: string): Promise<LetterListRow[]> {
    return db
      .select(listColumns)
      .from(incidentLetters)
      .leftJoin(incidentLetterEmails, eq(incidentLetterEmails.letterId, incidentLetters.id))
      .where(
        and(eq(incidentLetters.schoolId, schoolId), eq(incidentLetters.incidentId, incidentId)),
      )
      .orderBy(desc(incidentLetters.createdAt), desc(incidentLetters.id));
  }

  async getListRow(db: Db, schoolId: string, letterId: string): Promise<LetterListRow | undefined> {
    const rows = await db
      .select(listColumns)
      .from(incidentLetters)
      .leftJoin(incidentLetterEmails, eq(incidentLetterEmails.letterId, incidentLetters.id))
      .where(and(eq(incidentLetters.schoolId, schoolId), eq(incidentLetters.id, letterId)))
      .limit(1);
    return rows[0];
  }

  /** A letter by id. The job passes no school: it has only the letter's id. */
  async getById(db: Db, letterId: string, schoolId?: string): Promise<LetterRow | undefined> {
    const rows = await db
      .select()
      .from(incidentLetters)
      .where(
        schoolId === undefined
          ? eq(incidentLetters.id, letterId)
          : and(eq(incidentLetters.schoolId, schoolId), eq(incidentLetters.id, letterId)),
      )
      .limit(1);
    return rows[0];
  }

  /** Claims the sending of a letter; false when it has been sent already. */
  async claimEmail(
    db: Db,
    values: { letterId: string; schoolId: string; sentTo: string; sentAt: Date },
  ): Promise<boolean> {
    const rows = await db
      .insert(incidentLetterEmails)
      .values(values)
      .onConflictDoNothing()
      .returning({ id: incidentLetterEmails.letterId });
    return rows.length === 1;
  }

  /** How many letters each template made (for the templates page). */
  async countsByTemplate(db: Db, schoolId: string): Promise<Map<string, number>> {
    const rows = await db
      .select({ key: incidentLetters.templateKey, n: sql<number>`count(*)::int` })
      .from(incidentLetters)
      .where(eq(incidentLetters.schoolId, schoolId))
      .groupBy(incidentLetters.templateKey);
    return new Map(rows.map((r) => [r.key, r.n]));
  }
}
