/**
 * Bulk inserts of generated pupils and parents (the demo school, benchmarks, test factories).
 */
import type { Db } from '../../platform/db/database.ts';
import { parents, pupilParents, pupils } from './people.tables.ts';
import type { ParentRow, PupilRow } from './people.repository.ts';
import { pupilSearchText } from './pupil-list.queries.ts';

export type NewPupil = typeof pupils.$inferInsert;
export type NewParent = typeof parents.$inferInsert;
export type NewPupilParent = typeof pupilParents.$inferInsert;

/** Bulk inserts used by the demo seeder and test factories. */
export class PeopleBulkRepository {
  async insertPupils(db: Db, rows: NewPupil[]): Promise<PupilRow[]> {
    const out: PupilRow[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r) => ({ ...r, searchText: pupilSearchText(r) }));
      out.push(...(await db.insert(pupils).values(chunk).returning()));
    }
    return out;
  }

  async insertParents(db: Db, rows: NewParent[]): Promise<ParentRow[]> {
    const out: ParentRow[] = [];
    for (let i = 0; i < rows.length; i += 500)
      out.push(
        ...(await db
          .insert(parents)
          .values(rows.slice(i, i + 500))
          .returning()),
      );
    return out;
  }

  /** Inserts generated pupils and parents and links them (demo school, benchmarks, test factories). */
  async insertFamilies(
    db: Db,
    schoolId: string,
    families: {
      pupils: NewPupil[];
      parents: NewParent[];
      links: {
        pupil: number;
        parent: number;
        relationship: string;
        parentalResponsibility: boolean;
      }[];
    },
  ): Promise<{ pupils: PupilRow[]; parents: ParentRow[] }> {
    const pupilRows = await this.insertPupils(db, families.pupils);
    const parentRows = await this.insertParents(db, families.parents);
    await this.linkParents(
      db,
      families.links.map((l) => ({
        schoolId,
        pupilId: pupilRows[l.pupil]!.id,
        parentId: parentRows[l.parent]!.id,
        relationship: l.relationship,
        parentalResponsibility: l.parentalResponsibility,
      })),
    );
    return { pupils: pupilRows, parents: parentRows };
  }

  async linkParents(db: Db, rows: NewPupilParent[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 1000)
      await db.insert(pupilParents).values(rows.slice(i, i + 1000));
  }
}
