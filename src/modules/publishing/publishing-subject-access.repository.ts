import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  publicationItems,
  publicationPupils,
  publications,
  takedownTasks,
} from './publishing.tables.ts';

/**
 * The publications a pupil appears in (what went out, where, when, and the files published) and
 * the takedowns for them, for a subject access request (issue 16 item 5). School-scoped.
 */
export async function publishingAboutPupil(db: Db, schoolId: string, pupilId: string) {
  const shown = db
    .select({ id: publicationPupils.publicationId })
    .from(publicationPupils)
    .where(and(eq(publicationPupils.schoolId, schoolId), eq(publicationPupils.pupilId, pupilId)));
  const rows = await db
    .select({
      id: publications.id,
      purposeKey: publications.purposeKey,
      state: publications.state,
      title: publications.title,
      text: publications.text,
      remoteUrl: publications.remoteUrl,
      publishedAt: publications.publishedAt,
      removedAt: publications.removedAt,
    })
    .from(publications)
    .where(and(eq(publications.schoolId, schoolId), inArray(publications.id, shown)))
    .orderBy(asc(publications.createdAt));
  const ids = rows.map((r) => r.id);
  const items = ids.length
    ? await db
        .select({
          publicationId: publicationItems.publicationId,
          mediaId: publicationItems.mediaId,
          fileKey: publicationItems.fileKey,
          contentType: publicationItems.contentType,
          renditionSha256: publicationItems.renditionSha256,
          position: publicationItems.position,
        })
        .from(publicationItems)
        .where(
          and(
            eq(publicationItems.schoolId, schoolId),
            inArray(publicationItems.publicationId, ids),
          ),
        )
        .orderBy(asc(publicationItems.publicationId), asc(publicationItems.position))
    : [];
  const takedowns = await db
    .select({
      id: takedownTasks.id,
      publicationId: takedownTasks.publicationId,
      reason: takedownTasks.reason,
      state: takedownTasks.state,
      dueAt: takedownTasks.dueAt,
      doneAt: takedownTasks.doneAt,
      outcome: takedownTasks.outcome,
    })
    .from(takedownTasks)
    .where(and(eq(takedownTasks.schoolId, schoolId), eq(takedownTasks.pupilId, pupilId)))
    .orderBy(asc(takedownTasks.dueAt));
  return { publications: rows, items, takedowns };
}
export type PublishingAboutPupil = Awaited<ReturnType<typeof publishingAboutPupil>>;
