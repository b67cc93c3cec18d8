import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  conductDeclarations,
  conductPermissionDecisions,
  conductPermissions,
} from './conduct.tables.ts';

/**
 * Retention of staff declarations and permission requests (issue 16 item 6;
 * `retention.declarationsYears`, `retention.permissionsYears`): deletes those made before the
 * cut-off (a permission with its decision trail, append-only: migration 0050). Optionally only
 * those naming one pupil or parent (erasure). Returns the ids deleted.
 */
export async function deleteDeclarationsBefore(
  db: Db,
  schoolId: string,
  before: Date,
  about?: { kind: 'pupil' | 'parent'; id: string },
) {
  const rows = await db
    .delete(conductDeclarations)
    .where(
      and(
        eq(conductDeclarations.schoolId, schoolId),
        lt(conductDeclarations.declaredAt, before),
        about
          ? about.kind === 'pupil'
            ? eq(conductDeclarations.subjectPupilId, about.id)
            : eq(conductDeclarations.subjectParentId, about.id)
          : undefined,
      ),
    )
    .returning({ id: conductDeclarations.id });
  return rows.map((r) => r.id);
}

export async function deletePermissionsBefore(
  db: Db,
  schoolId: string,
  before: Date,
  aboutPupil?: string,
) {
  const ids = (
    await db
      .select({ id: conductPermissions.id })
      .from(conductPermissions)
      .where(
        and(
          eq(conductPermissions.schoolId, schoolId),
          lt(conductPermissions.requestedAt, before),
          aboutPupil ? eq(conductPermissions.pupilId, aboutPupil) : undefined,
        ),
      )
  ).map((r) => r.id);
  if (!ids.length) return [];
  await db.execute(sql`select set_config('lanyard.retention_delete', 'on', true)`);
  await db
    .delete(conductPermissionDecisions)
    .where(
      and(
        eq(conductPermissionDecisions.schoolId, schoolId),
        inArray(conductPermissionDecisions.permissionId, ids),
      ),
    );
  await db
    .delete(conductPermissions)
    .where(and(eq(conductPermissions.schoolId, schoolId), inArray(conductPermissions.id, ids)));
  return ids;
}
