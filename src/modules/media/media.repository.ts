import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/database.ts';
import {
  mediaFaces,
  mediaItems,
  mediaUploadBatches,
  type UploadMove,
  mediaPupilTags,
  mediaRenditions,
  mediaRetentionRuns,
} from './media.tables.ts';

export type MediaItemRow = typeof mediaItems.$inferSelect;
export type NewMediaItem = typeof mediaItems.$inferInsert;
export type MediaFaceRow = typeof mediaFaces.$inferSelect;
export type MediaPupilTagRow = typeof mediaPupilTags.$inferSelect;
export type MediaRenditionRow = typeof mediaRenditions.$inferSelect;
export type RetentionRunRow = typeof mediaRetentionRuns.$inferSelect;
export type { UploadMove };

export type LibraryView = 'working' | 'archive' | 'quarantine';

/** Queries on the media library. Every query a page can reach is scoped by school. */
export class MediaRepository {
  async create(db: Db, values: NewMediaItem): Promise<MediaItemRow> {
    const rows = await db.insert(mediaItems).values(values).returning();
    return rows[0]!;
  }

  /** Every item of a batch upload in one statement. */
  async createMany(db: Db, values: NewMediaItem[]): Promise<void> {
    if (values.length) await db.insert(mediaItems).values(values);
  }

  /** A batch's pending file moves (same transaction as its items). */
  async insertUploadBatch(
    db: Db,
    values: { id: string; schoolId: string; createdAt: Date; moves: UploadMove[] },
  ): Promise<void> {
    await db.insert(mediaUploadBatches).values(values);
  }

  /** Batches whose files had not all moved into place (oldest first). */
  async pendingUploadBatches(db: Db): Promise<{ id: string; moves: UploadMove[] }[]> {
    return db
      .select({ id: mediaUploadBatches.id, moves: mediaUploadBatches.moves })
      .from(mediaUploadBatches)
      .orderBy(asc(mediaUploadBatches.createdAt));
  }

  async deleteUploadBatch(db: Db, id: string): Promise<void> {
    await db.delete(mediaUploadBatches).where(eq(mediaUploadBatches.id, id));
  }

  async getById(db: Db, schoolId: string, id: string): Promise<MediaItemRow | undefined> {
    const rows = await db
      .select()
      .from(mediaItems)
      .where(and(eq(mediaItems.schoolId, schoolId), eq(mediaItems.id, id)))
      .limit(1);
    return rows[0];
  }

  async getForUpdate(db: Db, schoolId: string, id: string): Promise<MediaItemRow | undefined> {
    const rows = await db
      .select()
      .from(mediaItems)
      .where(and(eq(mediaItems.schoolId, schoolId), eq(mediaItems.id, id)))
      .for('update')
      .limit(1);
    return rows[0];
  }

  /** Jobs only: the item whatever its school (the job carries just the id). */
  async getAnySchool(db: Db, id: string): Promise<MediaItemRow | undefined> {
    const rows = await db.select().from(mediaItems).where(eq(mediaItems.id, id)).limit(1);
    return rows[0];
  }

  async list(
    db: Db,
    schoolId: string,
    view: LibraryView,
    page: { limit: number; offset: number },
  ): Promise<{ rows: MediaItemRow[]; total: number }> {
    const where =
      view === 'archive'
        ? and(eq(mediaItems.schoolId, schoolId), isNotNull(mediaItems.archivedAt))
        : view === 'quarantine'
          ? and(
              eq(mediaItems.schoolId, schoolId),
              isNotNull(mediaItems.quarantineReason),
              isNull(mediaItems.archivedAt),
            )
          : and(eq(mediaItems.schoolId, schoolId), isNull(mediaItems.archivedAt));
    const [rows, total] = await Promise.all([
      db
        .select()
        .from(mediaItems)
        .where(where)
        .orderBy(desc(mediaItems.uploadedAt), asc(mediaItems.id))
        .limit(page.limit)
        .offset(page.offset),
      db.select({ n: count() }).from(mediaItems).where(where),
    ]);
    return { rows, total: total[0]?.n ?? 0 };
  }

  /** Tagged pupils per item (box links and whole-photo tags, distinct) for a list page. */
  async taggedCounts(db: Db, schoolId: string, mediaIds: string[]): Promise<Map<string, number>> {
    if (mediaIds.length === 0) return new Map();
    const rows = await db.execute<{ media_id: string; n: number }>(sql`
      SELECT media_id, count(DISTINCT pupil_id)::int AS n FROM (
        SELECT media_id, pupil_id FROM media_faces
         WHERE school_id = ${schoolId} AND pupil_id IS NOT NULL
           AND media_id IN (${sql.join(
             mediaIds.map((id) => sql`${id}::uuid`),
             sql`, `,
           )})
        UNION ALL
        SELECT media_id, pupil_id FROM media_pupil_tags
         WHERE school_id = ${schoolId}
           AND media_id IN (${sql.join(
             mediaIds.map((id) => sql`${id}::uuid`),
             sql`, `,
           )})
      ) t GROUP BY media_id`);
    return new Map(rows.rows.map((r) => [r.media_id, Number(r.n)]));
  }

  async update(
    db: Db,
    schoolId: string,
    id: string,
    values: Partial<Omit<NewMediaItem, 'id' | 'schoolId'>>,
  ): Promise<void> {
    await db
      .update(mediaItems)
      .set(values)
      .where(and(eq(mediaItems.schoolId, schoolId), eq(mediaItems.id, id)));
  }

  /** Moves a processing item to ready; false if it was not processing (another run did it). */
  async finishIngest(
    db: Db,
    id: string,
    values: Partial<Omit<NewMediaItem, 'id' | 'schoolId'>>,
  ): Promise<boolean> {
    const rows = await db
      .update(mediaItems)
      .set(values)
      .where(and(eq(mediaItems.id, id), eq(mediaItems.status, 'processing')))
      .returning({ id: mediaItems.id });
    return rows.length > 0;
  }

  async delete(db: Db, schoolId: string, id: string): Promise<void> {
    await db
      .delete(mediaItems)
      .where(and(eq(mediaItems.schoolId, schoolId), eq(mediaItems.id, id)));
  }

  // Faces ------------------------------------------------------------------------------------

  async faces(db: Db, schoolId: string, mediaId: string): Promise<MediaFaceRow[]> {
    return db
      .select()
      .from(mediaFaces)
      .where(and(eq(mediaFaces.schoolId, schoolId), eq(mediaFaces.mediaId, mediaId)))
      .orderBy(asc(mediaFaces.seq));
  }

  async insertFaces(db: Db, rows: (typeof mediaFaces.$inferInsert)[]): Promise<void> {
    if (rows.length > 0) await db.insert(mediaFaces).values(rows);
  }

  async nextFaceSeq(db: Db, mediaId: string): Promise<number> {
    const rows = await db
      .select({ n: sql<number>`coalesce(max(${mediaFaces.seq}), 0)::int` })
      .from(mediaFaces)
      .where(eq(mediaFaces.mediaId, mediaId));
    return (rows[0]?.n ?? 0) + 1;
  }

  async getFace(
    db: Db,
    schoolId: string,
    mediaId: string,
    faceId: string,
  ): Promise<MediaFaceRow | undefined> {
    const rows = await db
      .select()
      .from(mediaFaces)
      .where(
        and(
          eq(mediaFaces.schoolId, schoolId),
          eq(mediaFaces.mediaId, mediaId),
          eq(mediaFaces.id, faceId),
        ),
      )
      .limit(1);
    return rows[0];
  }

  async setFacePupil(db: Db, faceId: string, pupilId: string | null): Promise<void> {
    await db.update(mediaFaces).set({ pupilId }).where(eq(mediaFaces.id, faceId));
  }

  async deleteFace(db: Db, faceId: string): Promise<void> {
    await db.delete(mediaFaces).where(eq(mediaFaces.id, faceId));
  }

  // Whole-photo tags -------------------------------------------------------------------------

  async pupilTags(db: Db, schoolId: string, mediaId: string): Promise<MediaPupilTagRow[]> {
    return db
      .select()
      .from(mediaPupilTags)
      .where(and(eq(mediaPupilTags.schoolId, schoolId), eq(mediaPupilTags.mediaId, mediaId)))
      .orderBy(asc(mediaPupilTags.createdAt));
  }

  async addPupilTag(db: Db, values: typeof mediaPupilTags.$inferInsert): Promise<boolean> {
    const rows = await db
      .insert(mediaPupilTags)
      .values(values)
      .onConflictDoNothing()
      .returning({ id: mediaPupilTags.pupilId });
    return rows.length > 0;
  }

  async removePupilTag(
    db: Db,
    schoolId: string,
    mediaId: string,
    pupilId: string,
  ): Promise<boolean> {
    const rows = await db
      .delete(mediaPupilTags)
      .where(
        and(
          eq(mediaPupilTags.schoolId, schoolId),
          eq(mediaPupilTags.mediaId, mediaId),
          eq(mediaPupilTags.pupilId, pupilId),
        ),
      )
      .returning({ id: mediaPupilTags.pupilId });
    return rows.length > 0;
  }

  // Renditions -------------------------------------------------------------------------------

  async renditions(db: Db, schoolId: string, mediaId: string): Promise<MediaRenditionRow[]> {
    return db
      .select()
      .from(mediaRenditions)
      .where(and(eq(mediaRenditions.schoolId, schoolId), eq(mediaRenditions.mediaId, mediaId)))
      .orderBy(asc(mediaRenditions.purpose));
  }

  async getRendition(
    db: Db,
    schoolId: string,
    mediaId: string,
    purpose: string,
  ): Promise<MediaRenditionRow | undefined> {
    const rows = await db
      .select()
      .from(mediaRenditions)
      .where(
        and(
          eq(mediaRenditions.schoolId, schoolId),
          eq(mediaRenditions.mediaId, mediaId),
          eq(mediaRenditions.purpose, purpose),
        ),
      )
      .limit(1);
    return rows[0];
  }

  async upsertRendition(
    db: Db,
    values: typeof mediaRenditions.$inferInsert,
  ): Promise<MediaRenditionRow> {
    const rows = await db
      .insert(mediaRenditions)
      .values(values)
      .onConflictDoUpdate({
        target: [mediaRenditions.mediaId, mediaRenditions.purpose],
        set: {
          id: values.id,
          fileKey: values.fileKey,
          width: values.width,
          height: values.height,
          sizeBytes: values.sizeBytes,
          facesTotal: values.facesTotal,
          facesBlurred: values.facesBlurred,
          basis: values.basis,
          createdBy: values.createdBy,
          createdAt: values.createdAt,
        },
      })
      .returning();
    return rows[0]!;
  }

  /** Removes every rendition of an item (its faces, tags or flags changed). Returns their keys. */
  async deleteRenditions(db: Db, schoolId: string, mediaId: string): Promise<string[]> {
    const rows = await db
      .delete(mediaRenditions)
      .where(and(eq(mediaRenditions.schoolId, schoolId), eq(mediaRenditions.mediaId, mediaId)))
      .returning({ key: mediaRenditions.fileKey });
    return rows.map((r) => r.key);
  }

  // Retention and sweeping -------------------------------------------------------------------

  /** Items of academic years before `year` that are not archived yet. */
  async toArchive(db: Db, schoolId: string, beforeYear: string): Promise<MediaItemRow[]> {
    return db
      .select()
      .from(mediaItems)
      .where(
        and(
          eq(mediaItems.schoolId, schoolId),
          isNull(mediaItems.archivedAt),
          lt(mediaItems.academicYear, beforeYear),
        ),
      );
  }

  /** Items of academic years up to and including `lastYear` (candidates for deletion). */
  async ofYearsUpTo(db: Db, schoolId: string, lastYear: string): Promise<MediaItemRow[]> {
    return db
      .select()
      .from(mediaItems)
      .where(and(eq(mediaItems.schoolId, schoolId), sql`${mediaItems.academicYear} <= ${lastYear}`))
      .for('update');
  }

  async archive(db: Db, schoolId: string, ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await db
      .update(mediaItems)
      .set({ archivedAt: at })
      .where(and(eq(mediaItems.schoolId, schoolId), inArray(mediaItems.id, ids)));
  }

  async deleteMany(db: Db, schoolId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await db
      .delete(mediaItems)
      .where(and(eq(mediaItems.schoolId, schoolId), inArray(mediaItems.id, ids)));
  }

  async renditionKeysFor(db: Db, mediaIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (mediaIds.length === 0) return out;
    const rows = await db
      .select({ mediaId: mediaRenditions.mediaId, key: mediaRenditions.fileKey })
      .from(mediaRenditions)
      .where(inArray(mediaRenditions.mediaId, mediaIds));
    for (const r of rows) out.set(r.mediaId, [...(out.get(r.mediaId) ?? []), r.key]);
    return out;
  }

  /** Every file key the rows of these items refer to (for the orphan sweeper). */
  async referencedKeys(db: Db, mediaIds: string[]): Promise<Set<string>> {
    const keys = new Set<string>();
    if (mediaIds.length === 0) return keys;
    const items = await db
      .select({
        upload: mediaItems.uploadKey,
        original: mediaItems.originalKey,
        thumbnail: mediaItems.thumbnailKey,
      })
      .from(mediaItems)
      .where(inArray(mediaItems.id, mediaIds));
    for (const i of items) for (const k of [i.upload, i.original, i.thumbnail]) if (k) keys.add(k);
    const renditions = await this.renditionKeysFor(db, mediaIds);
    for (const list of renditions.values()) for (const k of list) keys.add(k);
    return keys;
  }

  /** Items still waiting for ingest that were uploaded before `before`. */
  async processingBefore(db: Db, before: Date): Promise<MediaItemRow[]> {
    return db
      .select()
      .from(mediaItems)
      .where(and(eq(mediaItems.status, 'processing'), lt(mediaItems.uploadedAt, before)));
  }

  async insertRetentionRun(
    db: Db,
    values: typeof mediaRetentionRuns.$inferInsert,
  ): Promise<RetentionRunRow> {
    const rows = await db.insert(mediaRetentionRuns).values(values).returning();
    return rows[0]!;
  }

  async retentionRuns(db: Db, schoolId: string, limit = 50): Promise<RetentionRunRow[]> {
    return db
      .select()
      .from(mediaRetentionRuns)
      .where(eq(mediaRetentionRuns.schoolId, schoolId))
      .orderBy(desc(mediaRetentionRuns.ranAt))
      .limit(limit);
  }

  // Reads for another module (publishing's posts), each one statement for the whole batch.

  /** This school's library items among `ids` (others are simply absent). */
  async itemsByIds(db: Db, schoolId: string, ids: readonly string[]): Promise<MediaItemRow[]> {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(mediaItems)
      .where(and(eq(mediaItems.schoolId, schoolId), inArray(mediaItems.id, [...ids])));
  }

  /** The pupils in these items: tagged to the whole item or linked to a face box (distinct). */
  async pupilsInItems(
    db: Db,
    schoolId: string,
    mediaIds: readonly string[],
  ): Promise<{ mediaId: string; pupilId: string }[]> {
    if (mediaIds.length === 0) return [];
    const ids = [...mediaIds];
    const [tags, faces] = await Promise.all([
      db
        .select({ mediaId: mediaPupilTags.mediaId, pupilId: mediaPupilTags.pupilId })
        .from(mediaPupilTags)
        .where(and(eq(mediaPupilTags.schoolId, schoolId), inArray(mediaPupilTags.mediaId, ids))),
      db
        .select({ mediaId: mediaFaces.mediaId, pupilId: mediaFaces.pupilId })
        .from(mediaFaces)
        .where(
          and(
            eq(mediaFaces.schoolId, schoolId),
            inArray(mediaFaces.mediaId, ids),
            isNotNull(mediaFaces.pupilId),
          ),
        ),
    ]);
    const seen = new Set<string>();
    const out: { mediaId: string; pupilId: string }[] = [];
    for (const r of [...tags, ...faces]) {
      const key = `${r.mediaId}:${r.pupilId}`;
      if (seen.has(key) || !r.pupilId) continue;
      seen.add(key);
      out.push({ mediaId: r.mediaId, pupilId: r.pupilId });
    }
    return out;
  }

  /** Face boxes per item. */
  async faceCounts(
    db: Db,
    schoolId: string,
    mediaIds: readonly string[],
  ): Promise<Map<string, number>> {
    if (mediaIds.length === 0) return new Map<string, number>();
    const rows = await db
      .select({ mediaId: mediaFaces.mediaId, count: sql<number>`count(*)::int` })
      .from(mediaFaces)
      .where(and(eq(mediaFaces.schoolId, schoolId), inArray(mediaFaces.mediaId, [...mediaIds])))
      .groupBy(mediaFaces.mediaId);
    return new Map(rows.map((r) => [r.mediaId, r.count]));
  }
}
