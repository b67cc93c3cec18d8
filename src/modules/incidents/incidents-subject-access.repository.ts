import { and, asc, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { incidentCases, incidentEntries, incidentPeople, incidents } from './incidents.tables.ts';
import { incidentEvidence } from './evidence/evidence.tables.ts';
import { incidentLetters } from './letters/letters.tables.ts';

/**
 * The incidents a pupil or parent is involved in (named in `incident_people`) or reported, with
 * their case state, chronology, everyone involved, the evidence files' keys and the letters made
 * about them (their words as sent; not the PDF's store key), for a subject
 * access request (issue 16 item 5). Unredacted: the subject access module applies the
 * redaction rules (docs/subject-access.md) before anything leaves. School-scoped.
 */
export async function incidentsAboutPerson(
  db: Db,
  schoolId: string,
  subject: { kind: 'pupil' | 'parent'; id: string },
) {
  const named = db
    .select({ id: incidentPeople.incidentId })
    .from(incidentPeople)
    .where(
      and(
        eq(incidentPeople.schoolId, schoolId),
        subject.kind === 'pupil'
          ? eq(incidentPeople.pupilId, subject.id)
          : eq(incidentPeople.parentId, subject.id),
      ),
    );
  const rows = await db
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.schoolId, schoolId),
        or(
          inArray(incidents.id, named),
          and(eq(incidents.reporterKind, subject.kind), eq(incidents.reporterId, subject.id)),
        ),
      ),
    )
    .orderBy(asc(incidents.reportedAt));
  const ids = rows.map((r) => r.id);
  if (!ids.length)
    return { incidents: [], cases: [], entries: [], people: [], evidence: [], letters: [] };
  const [cases, entries, people, evidence, letters] = await Promise.all([
    db
      .select()
      .from(incidentCases)
      .where(and(eq(incidentCases.schoolId, schoolId), inArray(incidentCases.incidentId, ids))),
    db
      .select()
      .from(incidentEntries)
      .where(and(eq(incidentEntries.schoolId, schoolId), inArray(incidentEntries.incidentId, ids)))
      .orderBy(asc(incidentEntries.at), asc(incidentEntries.seq)),
    db
      .select()
      .from(incidentPeople)
      .where(and(eq(incidentPeople.schoolId, schoolId), inArray(incidentPeople.incidentId, ids)))
      .orderBy(asc(incidentPeople.addedAt)),
    db
      .select()
      .from(incidentEvidence)
      .where(
        and(eq(incidentEvidence.schoolId, schoolId), inArray(incidentEvidence.incidentId, ids)),
      )
      .orderBy(asc(incidentEvidence.uploadedAt)),
    db
      .select({
        id: incidentLetters.id,
        incidentId: incidentLetters.incidentId,
        templateKey: incidentLetters.templateKey,
        title: incidentLetters.title,
        recipientName: incidentLetters.recipientName,
        subject: incidentLetters.subject,
        body: incidentLetters.body,
        createdBy: incidentLetters.createdBy,
        createdAt: incidentLetters.createdAt,
      })
      .from(incidentLetters)
      .where(and(eq(incidentLetters.schoolId, schoolId), inArray(incidentLetters.incidentId, ids)))
      .orderBy(asc(incidentLetters.createdAt)),
  ]);
  return { incidents: rows, cases, entries, people, evidence, letters };
}
export type IncidentsAboutPerson = Awaited<ReturnType<typeof incidentsAboutPerson>>;
