/**
 * Retention (`media.retention`): archiving past years' items and deleting those whose retention
 * has run out; and the orphan sweeper, which cleans what a crash left between files and rows
 * (ARCHITECTURE rule 10). Both run as jobs.
 */
import { ukDate } from '../../platform/clock.ts';
import { systemActor } from '../audit/index.ts';
import type { PolicySettings } from '../policies/index.ts';
import type { MediaItemRow, RetentionRunRow } from './media.repository.ts';
import { academicYearKey, MediaPart, pad, SWEEP_GRACE_MS, type MediaDeps } from './media-shared.ts';
import type { MediaUploads } from './media-upload.service.ts';
import type { MediaIngest } from './media-ingest.service.ts';

export interface RetentionReport {
  schoolId: string;
  runId: string;
  archived: number;
  deleted: number;
  keptAsEvidence: number;
}

export interface SweepReport {
  tempFilesRemoved: number;
  orphanFilesRemoved: number;
  incompleteUploadsRemoved: number;
  stalledIngestsFailed: number;
}

/** Items still 'processing' this long after upload are marked failed by the sweeper. */
export const STALLED_INGEST_MS = 24 * 60 * 60 * 1000;

function firstYear(key: string): number {
  return Number(key.slice(0, 4));
}

export class MediaRetention extends MediaPart {
  constructor(
    deps: MediaDeps,
    /** The sweeper first finishes interrupted batches (uploads) and fails stalled ingests. */
    private readonly uploads: MediaUploads,
    private readonly ingest: MediaIngest,
  ) {
    super(deps);
  }

  /**
   * Archives items of past academic years (read-only, out of the working library) and deletes
   * those whose retention has run out unless kept as evidence of achievement, per the profile.
   * One transaction per school with the report row and one audit event; files are deleted after
   * it commits. Running it twice changes nothing the second time (but records the run).
   */
  async runRetention(schoolId?: string): Promise<RetentionReport[]> {
    const schools = schoolId
      ? [schoolId]
      : (await this.deps.people.listSchools(this.db)).map((s) => s.id);
    const reports: RetentionReport[] = [];
    for (const id of schools) {
      const current = await this.deps.policies.currentOrNull(id);
      if (!current) continue;
      reports.push(await this.retentionFor(id, current.settings));
    }
    return reports;
  }

  private async retentionFor(schoolId: string, settings: PolicySettings): Promise<RetentionReport> {
    const { database, repository, audit, clock } = this.deps;
    const now = clock.now();
    const year = academicYearKey(settings, ukDate(now));
    const rules = settings.media.retention;
    const keepEvidence = rules.keepEvidenceOfAchievement.value;
    const deleteAfter = rules.deleteAfterYears.value;
    const { runId, deleted, archived, kept } = await database.transaction(async (tx) => {
      // Deletion: items whose year ended more than `deleteAfter` years ago (`media.retention`: archived at
      // the end of the year, deleted the following year).
      const toDelete: MediaItemRow[] = [];
      let kept = 0;
      if (deleteAfter !== null) {
        const lastYearFirst = firstYear(year) - 1 - deleteAfter;
        const lastKey = `${lastYearFirst}-${pad((lastYearFirst + 1) % 100)}`;
        const candidates = await repository.ofYearsUpTo(tx.db, schoolId, lastKey);
        for (const c of candidates) {
          if (c.evidenceOfAchievement && keepEvidence) kept += 1;
          else toDelete.push(c);
        }
      }
      const deleting = new Set(toDelete.map((d) => d.id));
      let archivedIds: string[] = [];
      if (rules.archiveAtYearEnd.value) {
        archivedIds = (await repository.toArchive(tx.db, schoolId, year))
          .filter((i) => !deleting.has(i.id))
          .map((i) => i.id);
        await repository.archive(tx.db, schoolId, archivedIds, now);
      }
      const renditionKeys = await repository.renditionKeysFor(
        tx.db,
        toDelete.map((d) => d.id),
      );
      const deleted = toDelete.map((d) => ({
        id: d.id,
        kind: d.kind,
        eventLabel: d.eventLabel,
        academicYear: d.academicYear,
        uploadedAt: d.uploadedAt.toISOString(),
        keys: [
          d.uploadKey,
          d.originalKey,
          d.thumbnailKey,
          ...(renditionKeys.get(d.id) ?? []),
        ].filter((k): k is string => !!k),
      }));
      await repository.deleteMany(
        tx.db,
        schoolId,
        toDelete.map((d) => d.id),
      );
      const run = await repository.insertRetentionRun(tx.db, {
        schoolId,
        ranAt: now,
        academicYear: year,
        archived: archivedIds.length,
        deleted: deleted.length,
        keptAsEvidence: kept,
        deletedItems: deleted.map((d) => ({
          id: d.id,
          kind: d.kind,
          eventLabel: d.eventLabel,
          academicYear: d.academicYear,
          uploadedAt: d.uploadedAt,
          files: d.keys.length,
        })),
      });
      await audit.record(tx, {
        schoolId,
        actor: systemActor,
        action: 'media.retention-run',
        entityType: 'media_retention_run',
        entityId: run.id,
        data: {
          academicYear: year,
          archived: archivedIds.length,
          deleted: deleted.map((d) => d.id),
          keptAsEvidence: kept,
        },
      });
      return { runId: run.id, deleted, archived: archivedIds.length, kept };
    });
    for (const d of deleted) await this.removeFiles(schoolId, d.id, d.keys);
    return { schoolId, runId, archived, deleted: deleted.length, keptAsEvidence: kept };
  }

  async retentionRuns(schoolId: string): Promise<RetentionRunRow[]> {
    return this.deps.repository.retentionRuns(this.db, schoolId);
  }

  /**
   * Cleans what a crash left (ARCHITECTURE rule 10): temporary files older than the grace period;
   * committed files no row refers to; rows whose upload never reached the store; ingests stalled
   * for a day (marked failed, so the uploader sees it).
   */
  async sweepOrphans(): Promise<SweepReport> {
    const { files, repository, database, audit, clock } = this.deps;
    const now = clock.now().getTime();
    const cutoff = new Date(now - SWEEP_GRACE_MS);
    // Batches a crash interrupted after their commit first: their files are still temporaries.
    await this.uploads.recoverUploads();
    const report: SweepReport = {
      tempFilesRemoved: await files.sweepTemp(cutoff),
      orphanFilesRemoved: 0,
      incompleteUploadsRemoved: 0,
      stalledIngestsFailed: 0,
    };
    // Committed files: group by item id (the key's second segment), ask the rows once per batch.
    const batch: { key: string; mediaId: string }[] = [];
    const flush = async () => {
      const ids = [...new Set(batch.map((b) => b.mediaId))];
      const referenced = await repository.referencedKeys(this.db, ids);
      for (const b of batch) {
        if (!referenced.has(b.key)) {
          // Re-check this one file's item in case it changed since the batch query.
          const again = await repository.referencedKeys(this.db, [b.mediaId]);
          if (!again.has(b.key)) {
            await files.delete(b.key);
            report.orphanFilesRemoved += 1;
          }
        }
      }
      batch.length = 0;
    };
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const name = /^(upload|original\.jpg|preview\.jpg|video\.\w+|rendition-[a-z0-9_]+\.jpg)$/;
    // Media keys are <schoolId>/media/<mediaId>/<name>; other modules keep their own files.
    for (const school of await this.deps.people.listSchools(this.db)) {
      for await (const f of files.list(`${school.id}/media`)) {
        const parts = f.key.split('/');
        if (parts.length !== 4 || !uuid.test(parts[2]!) || !name.test(parts[3]!)) continue;
        if (f.modifiedAt.getTime() > cutoff.getTime()) continue;
        batch.push({ key: f.key, mediaId: parts[2]! });
        if (batch.length >= 500) await flush();
      }
    }
    if (batch.length) await flush();

    // Rows whose upload file never arrived, or whose ingest stalled.
    for (const item of await repository.processingBefore(this.db, cutoff)) {
      const present = item.uploadKey ? await files.exists(item.uploadKey) : false;
      if (!present) {
        await database.transaction(async (tx) => {
          const locked = await repository.getForUpdate(tx.db, item.schoolId, item.id);
          if (!locked || locked.status !== 'processing') return;
          await repository.delete(tx.db, item.schoolId, item.id);
          await audit.record(tx, {
            schoolId: item.schoolId,
            actor: systemActor,
            action: 'media.incomplete-upload-removed',
            entityType: 'media_item',
            entityId: item.id,
            data: {},
          });
        });
        await this.removeFiles(item.schoolId, item.id, []);
        report.incompleteUploadsRemoved += 1;
      } else if (now - item.uploadedAt.getTime() > STALLED_INGEST_MS) {
        await this.ingest.failIngest(
          item,
          'Lanyard could not process this photo. Delete it and upload it again.',
        );
        report.stalledIngestsFailed += 1;
      }
    }
    return report;
  }
}
