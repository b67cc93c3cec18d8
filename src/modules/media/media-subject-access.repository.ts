import { and, asc, eq, inArray, isNotNull, or } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import { mediaFaces, mediaItems, mediaPupilTags, mediaRenditions } from './media.tables.ts';

/**
 * The media items a pupil is tagged in (to the whole item or to a face), with their original's
 * key and every rendition made for publishing, for a subject access request (issue 16 item 5).
 * School-scoped; one statement per table.
 */
export async function mediaAboutPupil(db: Db, schoolId: string, pupilId: string) {
  const tagged = db
    .select({ id: mediaPupilTags.mediaId })
    .from(mediaPupilTags)
    .where(and(eq(mediaPupilTags.schoolId, schoolId), eq(mediaPupilTags.pupilId, pupilId)));
  const faced = db
    .select({ id: mediaFaces.mediaId })
    .from(mediaFaces)
    .where(and(eq(mediaFaces.schoolId, schoolId), eq(mediaFaces.pupilId, pupilId)));
  const items = await db
    .select({
      id: mediaItems.id,
      kind: mediaItems.kind,
      status: mediaItems.status,
      eventLabel: mediaItems.eventLabel,
      academicYear: mediaItems.academicYear,
      format: mediaItems.format,
      contentType: mediaItems.contentType,
      sizeBytes: mediaItems.sizeBytes,
      sha256: mediaItems.sha256,
      uploadedAt: mediaItems.uploadedAt,
      archivedAt: mediaItems.archivedAt,
      evidenceOfAchievement: mediaItems.evidenceOfAchievement,
      originalKey: mediaItems.originalKey,
    })
    .from(mediaItems)
    .where(
      and(
        eq(mediaItems.schoolId, schoolId),
        or(inArray(mediaItems.id, tagged), inArray(mediaItems.id, faced)),
        isNotNull(mediaItems.originalKey),
      ),
    )
    .orderBy(asc(mediaItems.uploadedAt), asc(mediaItems.id));
  const ids = items.map((i) => i.id);
  const renditions = ids.length
    ? await db
        .select({
          id: mediaRenditions.id,
          mediaId: mediaRenditions.mediaId,
          purpose: mediaRenditions.purpose,
          fileKey: mediaRenditions.fileKey,
          facesBlurred: mediaRenditions.facesBlurred,
          createdAt: mediaRenditions.createdAt,
        })
        .from(mediaRenditions)
        .where(and(eq(mediaRenditions.schoolId, schoolId), inArray(mediaRenditions.mediaId, ids)))
        .orderBy(asc(mediaRenditions.createdAt))
    : [];
  return { items, renditions };
}
export type MediaAboutPupil = Awaited<ReturnType<typeof mediaAboutPupil>>;
