import type { Services } from '../container.ts';
import { ukDate } from '../platform/clock.ts';
import type { StaffPrincipal } from '../modules/auth/index.ts';

/**
 * Oakfield's open subject access request (docs/subject-access.md): the demo parent
 * (parent@oakfield.example) asked for everything the school holds about their child; received
 * so that it is due in three weeks, identity checked, logged by the DPO through the service (so
 * the audit log and the DPO's home page show it as they would).
 */
export async function seedDemoSubjectAccess(services: Services): Promise<void> {
  const db = services.database.db;
  const directory = services.peopleDirectory;
  const school = await directory.getSchoolBySlug(db, 'oakfield-primary');
  if (!school) return;
  const roster = await directory.staffRoster(db, school.id);
  const dpoRow = roster.find((r) => r.roles.includes('dpo'));
  const [parent] = await directory.findParentsByEmail(db, 'parent@oakfield.example');
  if (!dpoRow || !parent || parent.schoolId !== school.id) return;
  const [child] = await directory.childrenOfParent(db, school.id, parent.id);
  if (!child) return;
  const dpo: StaffPrincipal = {
    kind: 'staff',
    id: dpoRow.id,
    schoolId: school.id,
    roles: ['dpo'],
    name: `${dpoRow.givenName} ${dpoRow.familyName}`,
  };
  // Due one calendar month after receipt: received a month before the day three weeks from now.
  const due = new Date(services.clock.now().getTime() + 21 * 86_400_000);
  const received = new Date(due);
  received.setUTCMonth(received.getUTCMonth() - 1);
  await services.subjectAccess.log(dpo, {
    subject: `pupil:${child.id}`,
    requesterName: `${parent.givenName} ${parent.familyName}`,
    requesterRelationship: 'parent',
    receivedOn: ukDate(received),
    identityChecked: 'yes',
    identityMethod: 'Known parent; the request came from the email address on our records',
  });
}
