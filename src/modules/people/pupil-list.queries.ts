/**
 * The pupil list's queries: the filters a list may have, the search text a pupil is found by,
 * and one prepared statement per combination of filters (pupilShape). PeopleRepository runs them.
 */
import { and, asc, eq, getTableColumns, ilike, isNull, or, sql, type SQL } from 'drizzle-orm';
import { statement } from '../../platform/db/database.ts';
import { pupils } from './people.tables.ts';

export interface PupilFilters {
  q?: string | undefined;
  yearGroup?: string | undefined;
  className?: string | undefined;
  /** Only pupils of these classes (a teacher's own classes); an empty list matches nobody. */
  classNames?: readonly string[] | undefined;
  /** Include pupils whose leaving date has passed or who are flagged as possibly left. */
  includeLeavers?: boolean | undefined;
  /** Only pupils an MIS import no longer listed. */
  possiblyLeft?: boolean | undefined;
  today: string;
}

export function likeTerm(q: string): string {
  return `%${q
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function pupilSearchText(p: {
  givenName: string;
  familyName: string;
  misId: string;
  /** The names the pupil is known by, so a search for 'Alfie' finds Alfred. */
  preferredGivenName?: string | null;
  preferredFamilyName?: string | null;
}): string {
  const known = [p.preferredGivenName, p.preferredFamilyName].filter((n) => n);
  return [p.givenName, p.familyName, p.misId, ...known].join(' ').toLowerCase();
}

/** Which optional filters a pupil query has: each combination is one prepared statement. */
export function pupilShape(f: PupilFilters): string {
  return [
    f.q ? 'q' : '',
    f.yearGroup ? 'y' : '',
    f.className ? 'c' : '',
    f.classNames ? 'k' : '',
    f.possiblyLeft ? 'p' : '',
    f.includeLeavers ? 'l' : '',
  ].join('');
}

/** The WHERE clause of a pupil query of the given shape, with placeholders for its values. */
function pupilConditions(shape: string): SQL | undefined {
  const c: (SQL | undefined)[] = [eq(pupils.schoolId, sql.placeholder('schoolId'))];
  if (shape.includes('q')) c.push(ilike(pupils.searchText, sql.placeholder('q')));
  if (shape.includes('y')) c.push(eq(pupils.yearGroup, sql.placeholder('yearGroup')));
  if (shape.includes('c')) c.push(eq(pupils.className, sql.placeholder('className')));
  if (shape.includes('k')) {
    c.push(sql`${pupils.className} = ANY(${sql.placeholder('classNames')}::text[])`);
  }
  if (shape.includes('p')) c.push(sql`${pupils.possiblyLeftAt} IS NOT NULL`);
  if (!shape.includes('l')) {
    c.push(
      or(isNull(pupils.leavingDate), sql`${pupils.leavingDate} > ${sql.placeholder('today')}`),
    );
  }
  return and(...c);
}

export const pupilCount = statement((db, shape: string) =>
  db
    .select({ n: sql<number>`count(*)::int` })
    .from(pupils)
    .where(pupilConditions(shape)),
);

export const pupilPage = statement((db, shape: string) => {
  // The subquery names the same table, so its column references bind to its own FROM.
  const where = pupilConditions(shape);
  return db
    .select({
      ...getTableColumns(pupils),
      total: sql<number>`(SELECT count(*)::int FROM ${pupils} WHERE ${where})`,
    })
    .from(pupils)
    .where(where)
    .orderBy(asc(pupils.familyName), asc(pupils.givenName), asc(pupils.id))
    .limit(sql.placeholder('limit'))
    .offset(sql.placeholder('offset'));
});

export const rollCountsQuery = statement((db, _shape: 'on-roll') =>
  db
    .select({
      onRoll: sql<number>`count(*)::int`,
      possiblyLeft: sql<number>`(count(*) FILTER (WHERE ${pupils.possiblyLeftAt} IS NOT NULL))::int`,
    })
    .from(pupils)
    .where(pupilConditions('')),
);
