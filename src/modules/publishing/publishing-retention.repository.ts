import { and, eq, inArray, lt, notInArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from '../../platform/db/database.ts';
import {
  publicationItems,
  publicationPupils,
  publications,
  takedownTasks,
  webhookDeliveries,
} from './publishing.tables.ts';

/**
 * Retention of publications (issue 16 item 6; `retention.publicationsYearsAfterEnding`). A
 * publication that ended (taken down, or failed and never went out) before the cut-off is due,
 * with its takedown tasks, delivery log and the files that went out; one still out there (or on
 * its way) is kept, as the school must be able to take it down. The caller (the retention sweep)
 * deletes in its transaction and removes the files after commit.
 */

const ENDED = ['removed', 'failed'] as const;

/** Ended publications whose end (taken down, or made) is before `endedBefore`. */
export async function publicationsEndedBefore(db: Db, schoolId: string, endedBefore: Date) {
  const rows = await db
    .select({ id: publications.id })
    .from(publications)
    .where(
      and(
        eq(publications.schoolId, schoolId),
        inArray(publications.state, [...ENDED]),
        lt(sql`coalesce(${publications.removedAt}, ${publications.createdAt})`, endedBefore),
      ),
    );
  return rows.map((r) => r.id);
}

/** How many publications made before `before` are still published (or on their way): kept. */
export async function livePublicationsBefore(db: Db, schoolId: string, before: Date) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(publications)
    .where(
      and(
        eq(publications.schoolId, schoolId),
        notInArray(publications.state, [...ENDED]),
        lt(publications.createdAt, before),
      ),
    );
  return row?.n ?? 0;
}

/**
 * Deletes these publications whole (takedown tasks, delivery log, pupils shown, items); returns
 * the ids deleted and the store keys of the files that went out, to remove after commit.
 */
export async function deletePublications(db: Db, schoolId: string, ids: string[]) {
  if (!ids.length) return { ids: [] as string[], fileKeys: [] as string[] };
  const inSchool = (t: { schoolId: AnyPgColumn }) => eq(t.schoolId, schoolId);
  await db
    .delete(takedownTasks)
    .where(and(inSchool(takedownTasks), inArray(takedownTasks.publicationId, ids)));
  await db
    .delete(webhookDeliveries)
    .where(and(inSchool(webhookDeliveries), inArray(webhookDeliveries.publicationId, ids)));
  await db
    .delete(publicationPupils)
    .where(and(inSchool(publicationPupils), inArray(publicationPupils.publicationId, ids)));
  const items = await db
    .delete(publicationItems)
    .where(and(inSchool(publicationItems), inArray(publicationItems.publicationId, ids)))
    .returning({ key: publicationItems.fileKey });
  const gone = await db
    .delete(publications)
    .where(and(inSchool(publications), inArray(publications.id, ids)))
    .returning({ id: publications.id });
  // A file another publication still lists stays (keys are per publication; this is a guard).
  const keys = [...new Set(items.map((i) => i.key))];
  const shared = keys.length
    ? await db
        .select({ key: publicationItems.fileKey })
        .from(publicationItems)
        .where(and(inSchool(publicationItems), inArray(publicationItems.fileKey, keys)))
    : [];
  const stillUsed = new Set(shared.map((s) => s.key));
  return { ids: gone.map((g) => g.id), fileKeys: keys.filter((k) => !stillUsed.has(k)) };
}
