import { and, eq, inArray, isNotNull, isNull, lte, notExists, or, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { keepNames } from '../../platform/db/keep-names.ts';
import { parents, pupilImports, pupilParents, pupils, staff } from './people.tables.ts';
import { staffListImports } from './staff-import.tables.ts';

/**
 * Retention of people records (issue 16 item 6; `retention.pupilRecordsYearsAfterLeaving`):
 * Lanyard's copy of a pupil who left long enough ago (name, date of birth, class, dates, family
 * links), and of a parent with no child left at the school. A person is deleted only once no
 * other record names them: the other modules' rows hold a foreign key to them, so each delete
 * runs under a savepoint and a refusal keeps the person and says which table still names them
 * (the caller puts that in words). The caller (the retention sweep) runs these in its
 * transaction, after the other records' own rules have deleted what was due.
 */

/**
 * Pupils who left on or before `leftOnOrBefore` (an ISO date): their leaving date, or, when none
 * was recorded, the day (UK) an MIS import of the whole roll stopped listing them ("possibly
 * left"; a later import that lists them again clears it). A pupil with neither is on roll.
 */
export async function pupilsLeftOnOrBefore(db: Db, schoolId: string, leftOnOrBefore: string) {
  const rows = await db
    .select({ id: pupils.id })
    .from(pupils)
    .where(
      and(
        eq(pupils.schoolId, schoolId),
        or(
          and(isNotNull(pupils.leavingDate), lte(pupils.leavingDate, leftOnOrBefore)),
          and(
            isNull(pupils.leavingDate),
            isNotNull(pupils.possiblyLeftAt),
            sql`(${pupils.possiblyLeftAt} AT TIME ZONE 'Europe/London')::date <= ${leftOnOrBefore}::date`,
          ),
        ),
      ),
    );
  return rows.map((r) => r.id);
}

/** The date retention counts a pupil's leaving from (see `pupilsLeftOnOrBefore`), or null. */
export function retentionLeavingDate(
  p: { leavingDate: string | null; possiblyLeftAt: Date | null },
  ukDate: (at: Date) => string,
): string | null {
  return p.leavingDate ?? (p.possiblyLeftAt ? ukDate(p.possiblyLeftAt) : null);
}

/** The table that still names a row, from PostgreSQL's foreign key refusal (23503). */
function referencingTable(error: unknown): string | null {
  for (let e = error as { code?: string; detail?: string; cause?: unknown } | undefined; e;) {
    if (e.code === '23503') return /from table "([a-z_]+)"/.exec(e.detail ?? '')?.[1] ?? 'unknown';
    e = e.cause as typeof e;
  }
  return null;
}

async function underSavepoint(db: Db, work: () => Promise<void>): Promise<string | null> {
  await db.execute(sql`savepoint lanyard_retention_person`);
  try {
    await work();
    await db.execute(sql`release savepoint lanyard_retention_person`);
    return null;
  } catch (error) {
    const table = referencingTable(error);
    await db.execute(sql`rollback to savepoint lanyard_retention_person`);
    if (!table) throw error;
    return table;
  }
}

export interface PeopleDeleted {
  pupils: string[];
  parents: string[];
  /** Each person kept, with the table whose rows still name them. */
  kept: { kind: 'pupil' | 'parent'; id: string; heldBy: string }[];
}

/**
 * Deletes these pupils (with their family links), then the parents left with no child: these
 * pupils' parents, and any other with no child whose record has not changed since
 * `unchangedSince` (one an earlier run kept). Each unless another record still names them (a
 * foreign key, or `heldElsewhere`).
 */
export async function deletePeopleRecords(
  db: Db,
  schoolId: string,
  pupilIds: string[],
  unchangedSince: Date,
  /** Parents named by kept records no foreign key tells of (id → the table), e.g. training. */
  heldElsewhere: ReadonlyMap<string, string> = new Map(),
): Promise<PeopleDeleted> {
  const out: PeopleDeleted = { pupils: [], parents: [], kept: [] };
  const theirParents = pupilIds.length
    ? (
        await db
          .select({ id: pupilParents.parentId })
          .from(pupilParents)
          .where(and(eq(pupilParents.schoolId, schoolId), inArray(pupilParents.pupilId, pupilIds)))
      ).map((r) => r.id)
    : [];
  for (const id of pupilIds) {
    const heldBy = await underSavepoint(db, async () => {
      await db
        .delete(pupilParents)
        .where(and(eq(pupilParents.schoolId, schoolId), eq(pupilParents.pupilId, id)));
      const gone = await db
        .delete(pupils)
        .where(and(eq(pupils.schoolId, schoolId), eq(pupils.id, id)))
        .returning({ id: pupils.id });
      if (gone.length) out.pupils.push(id);
    });
    if (heldBy) out.kept.push({ kind: 'pupil', id, heldBy });
  }
  const childless = await db
    .select({ id: parents.id })
    .from(parents)
    .where(
      and(
        eq(parents.schoolId, schoolId),
        theirParents.length
          ? or(inArray(parents.id, theirParents), lte(parents.updatedAt, unchangedSince))
          : lte(parents.updatedAt, unchangedSince),
        notExists(
          db
            .select({ one: sql`1` })
            .from(pupilParents)
            .where(eq(pupilParents.parentId, parents.id)),
        ),
      ),
    );
  for (const { id } of childless) {
    const named = heldElsewhere.get(id);
    if (named) {
      out.kept.push({ kind: 'parent', id, heldBy: named });
      continue;
    }
    const heldBy = await underSavepoint(db, async () => {
      await db.delete(parents).where(and(eq(parents.schoolId, schoolId), eq(parents.id, id)));
    });
    if (heldBy) out.kept.push({ kind: 'parent', id, heldBy });
    else out.parents.push(id);
  }
  return out;
}

/**
 * Former staff (`retention.staffRecordsYearsAfterLeaving`): those no longer active whose leave
 * date is on or before `leftOnOrBefore`, and, apart, those no longer active with no leave date
 * (the sweep keeps them and says so: no date to count from).
 */
export async function formerStaffLeftOnOrBefore(db: Db, schoolId: string, leftOnOrBefore: string) {
  const rows = await db
    .select({ id: staff.id, leaveDate: staff.leaveDate })
    .from(staff)
    .where(
      and(
        eq(staff.schoolId, schoolId),
        eq(staff.active, false),
        or(isNull(staff.leaveDate), lte(staff.leaveDate, leftOnOrBefore)),
      ),
    );
  return {
    due: rows.filter((r) => r.leaveDate !== null).map((r) => r.id),
    noLeaveDate: rows.filter((r) => r.leaveDate === null).map((r) => r.id),
  };
}

export interface StaffDeleted {
  staff: string[];
  /** Each member of staff deleted, with their name in words as it was (for `keepFormerStaffNames`). */
  names: Map<string, string>;
  /** Each member of staff kept, with the table whose rows still name them. */
  kept: { id: string; heldBy: string }[];
}

/**
 * Deletes these former staff (their roles and classes go with them; anyone they line-managed has
 * no line manager), each under a savepoint: a record that still names them by a foreign key (an
 * incident, a declaration, a post they approved, ...) or `heldElsewhere` (e.g. training) keeps
 * them. Only inactive staff are ever deleted, whatever the ids.
 */
export async function deleteStaffRecords(
  db: Db,
  schoolId: string,
  staffIds: string[],
  heldElsewhere: ReadonlyMap<string, string> = new Map(),
): Promise<StaffDeleted> {
  const out: StaffDeleted = { staff: [], names: new Map(), kept: [] };
  for (const id of staffIds) {
    const named = heldElsewhere.get(id);
    if (named) {
      out.kept.push({ id, heldBy: named });
      continue;
    }
    const heldBy = await underSavepoint(db, async () => {
      const gone = await db
        .delete(staff)
        .where(and(eq(staff.schoolId, schoolId), eq(staff.id, id), eq(staff.active, false)))
        .returning({ id: staff.id, given: staff.givenName, family: staff.familyName });
      for (const g of gone) {
        out.staff.push(g.id);
        out.names.set(g.id, `${g.given} ${g.family}`.trim());
      }
    });
    if (heldBy) out.kept.push({ id, heldBy });
  }
  return out;
}

/**
 * Pupil imports and staff list imports (kept for good: the record of where the roll and the staff
 * list came from) name who uploaded and who confirmed them with no foreign key. When the retention sweep deletes a former member of staff's
 * own record, these keep their name in words (`names`: id → name). Returns the rows written.
 */
export async function keepFormerStaffNamesInImports(
  db: Db,
  schoolId: string,
  names: ReadonlyMap<string, string>,
): Promise<number> {
  let written = 0;
  for (const i of [pupilImports, staffListImports]) {
    written += await keepNames(
      db,
      i,
      { schoolId: i.schoolId, id: i.createdBy, name: i.createdByName },
      schoolId,
      names,
    );
    written += await keepNames(
      db,
      i,
      { schoolId: i.schoolId, id: i.confirmedBy, name: i.confirmedByName },
      schoolId,
      names,
    );
  }
  return written;
}
