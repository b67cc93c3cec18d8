import type { Db } from '../../platform/db/database.ts';
import { keepNames } from '../../platform/db/keep-names.ts';
import { policyProfileVersions } from './policies.tables.ts';

/**
 * Retention (issue 16 item 6): the policy's versions are kept for good (the school's record of
 * what its policy said and when) and name who made each with no foreign key. When the retention
 * sweep deletes a former member of staff's own record, each version they made keeps their name
 * in words (`names`: id → name) beside the id. Returns the rows written.
 */
export async function keepFormerStaffNamesInPolicyVersions(
  db: Db,
  schoolId: string,
  names: ReadonlyMap<string, string>,
): Promise<number> {
  const v = policyProfileVersions;
  return keepNames(
    db,
    v,
    { schoolId: v.schoolId, id: v.createdBy, name: v.createdByName },
    schoolId,
    names,
  );
}
