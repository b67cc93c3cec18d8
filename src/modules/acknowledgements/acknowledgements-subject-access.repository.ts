import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { policyAcknowledgements } from './acknowledgements.tables.ts';

/**
 * A parent's acknowledgements of the parents' guidance, or the pupil agreements recorded for a
 * pupil's class, for a subject access request (issue 16 item 5). School-scoped.
 */
export async function acknowledgementsAboutPerson(
  db: Db,
  schoolId: string,
  subject: { kind: 'pupil'; id: string; className: string | null } | { kind: 'parent'; id: string },
) {
  if (subject.kind === 'pupil' && !subject.className) return [];
  return db
    .select({
      id: policyAcknowledgements.id,
      personKind: policyAcknowledgements.personKind,
      className: policyAcknowledgements.className,
      policyVersion: policyAcknowledgements.policyVersion,
      acknowledgedAt: policyAcknowledgements.acknowledgedAt,
    })
    .from(policyAcknowledgements)
    .where(
      and(
        eq(policyAcknowledgements.schoolId, schoolId),
        subject.kind === 'pupil'
          ? and(
              eq(policyAcknowledgements.personKind, 'pupil_class'),
              eq(policyAcknowledgements.className, subject.className!),
            )
          : and(
              eq(policyAcknowledgements.personKind, 'parent'),
              eq(policyAcknowledgements.personId, subject.id),
            ),
      ),
    )
    .orderBy(asc(policyAcknowledgements.acknowledgedAt));
}
export type AcknowledgementsAboutPerson = Awaited<ReturnType<typeof acknowledgementsAboutPerson>>;
