/**
 * Names the audit log reads from the records that keep them (docs/subject-access.md, "Staff named
 * with no key", kind (b)). When the retention sweep deletes a former member of staff, a record the
 * school keeps for good keeps their name in words beside their id; the audit log's entries about
 * that record (who uploaded an import, who confirmed it) then name them as the record does. The
 * entries themselves hold ids only and are never edited: the name is looked up when the log is
 * read, and only for an entry whose own record kept it, so the log names no one the school's
 * records do not.
 */

/** An entry's record and the member of staff it names as its actor. */
export interface KeptNameRef {
  entityType: string;
  entityId: string;
  staffId: string;
}

/** A record that keeps who made it and who confirmed it (an import: platform/imports). */
export interface KeptNameSource {
  keptNames(
    schoolId: string,
    ids: readonly string[],
  ): Promise<
    {
      id: string;
      createdBy: string | null;
      createdByName: string | null;
      confirmedBy: string | null;
      confirmedByName: string | null;
    }[]
  >;
}

export const keptNameKey = (r: KeptNameRef): string => `${r.entityType}:${r.entityId}:${r.staffId}`;

/**
 * The names kept for these entries, by `keptNameKey`, from the sources by the entries' record
 * type (an entry about a record of any other type is left as it is).
 */
export async function readKeptNames(
  sources: Readonly<Record<string, KeptNameSource>>,
  schoolId: string,
  refs: readonly KeptNameRef[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const byType = new Map<string, Set<string>>();
  for (const r of refs) {
    if (!Object.hasOwn(sources, r.entityType)) continue;
    const ids = byType.get(r.entityType) ?? new Set<string>();
    ids.add(r.entityId);
    byType.set(r.entityType, ids);
  }
  for (const [entityType, ids] of byType) {
    for (const row of await sources[entityType]!.keptNames(schoolId, [...ids])) {
      const keep = (staffId: string | null, name: string | null) => {
        if (staffId && name)
          names.set(keptNameKey({ entityType, entityId: row.id, staffId }), name);
      };
      keep(row.createdBy, row.createdByName);
      keep(row.confirmedBy, row.confirmedByName);
    }
  }
  return names;
}
