import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/database.ts';
import {
  consentRecords,
  pupilCompetenceAssessments,
  pupilPublicationRestrictions,
} from '../consent.tables.ts';

/**
 * Everything the consent register holds about one pupil or parent, for a subject access request
 * (issue 16 item 5): every consent record (with its scan's key), competence assessments and the
 * never-publish restriction's history (the fact and dates; its reason is a safeguarding note and
 * is left out). School-scoped; one statement per table.
 */
export async function consentAboutPerson(
  db: Db,
  schoolId: string,
  subject: { kind: 'pupil' | 'parent'; id: string },
) {
  const records = await db
    .select()
    .from(consentRecords)
    .where(
      and(
        eq(consentRecords.schoolId, schoolId),
        subject.kind === 'pupil'
          ? eq(consentRecords.pupilId, subject.id)
          : eq(consentRecords.deciderParentId, subject.id),
      ),
    )
    .orderBy(asc(consentRecords.recordedAt));
  if (subject.kind === 'parent') return { records, competence: [], restrictions: [] };
  const competence = await db
    .select()
    .from(pupilCompetenceAssessments)
    .where(
      and(
        eq(pupilCompetenceAssessments.schoolId, schoolId),
        eq(pupilCompetenceAssessments.pupilId, subject.id),
      ),
    )
    .orderBy(asc(pupilCompetenceAssessments.recordedAt));
  const restrictions = await db
    .select({
      id: pupilPublicationRestrictions.id,
      restricted: pupilPublicationRestrictions.restricted,
      recordedAt: pupilPublicationRestrictions.recordedAt,
    })
    .from(pupilPublicationRestrictions)
    .where(
      and(
        eq(pupilPublicationRestrictions.schoolId, schoolId),
        eq(pupilPublicationRestrictions.pupilId, subject.id),
      ),
    )
    .orderBy(asc(pupilPublicationRestrictions.recordedAt));
  return { records, competence, restrictions };
}
export type ConsentAboutPerson = Awaited<ReturnType<typeof consentAboutPerson>>;
