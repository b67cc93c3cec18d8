import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  conductDeclarations,
  conductPermissionDecisions,
  conductPermissions,
} from './conduct.tables.ts';

/**
 * Declarations that name a pupil or parent (a friend request, family contact) and permission
 * requests that name a pupil (named photos), with their decision trail, for a subject access
 * request (issue 16 item 5). School-scoped.
 */
export async function conductAboutPerson(
  db: Db,
  schoolId: string,
  subject: { kind: 'pupil' | 'parent'; id: string },
) {
  const declarations = await db
    .select()
    .from(conductDeclarations)
    .where(
      and(
        eq(conductDeclarations.schoolId, schoolId),
        subject.kind === 'pupil'
          ? eq(conductDeclarations.subjectPupilId, subject.id)
          : eq(conductDeclarations.subjectParentId, subject.id),
      ),
    )
    .orderBy(asc(conductDeclarations.declaredAt));
  if (subject.kind === 'parent') return { declarations, permissions: [], decisions: [] };
  const permissions = await db
    .select()
    .from(conductPermissions)
    .where(
      and(eq(conductPermissions.schoolId, schoolId), eq(conductPermissions.pupilId, subject.id)),
    )
    .orderBy(asc(conductPermissions.requestedAt));
  const ids = permissions.map((p) => p.id);
  const decisions = ids.length
    ? await db
        .select()
        .from(conductPermissionDecisions)
        .where(
          and(
            eq(conductPermissionDecisions.schoolId, schoolId),
            inArray(conductPermissionDecisions.permissionId, ids),
          ),
        )
        .orderBy(asc(conductPermissionDecisions.at))
    : [];
  return { declarations, permissions, decisions };
}
export type ConductAboutPerson = Awaited<ReturnType<typeof conductAboutPerson>>;
