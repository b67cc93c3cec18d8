/**
 * What every part of the media service is given (media.service.ts builds the parts from it), and
 * the small helpers they share. The parts: media-upload.service.ts, media-ingest.service.ts,
 * media-library.service.ts, media-tagging.service.ts, media-renditions.service.ts,
 * media-quarantine.service.ts and media-retention.service.ts.
 */
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { FileStore } from '../../platform/files/file-store.ts';
import { FileNotFoundError } from '../../platform/files/file-store.ts';
import type { ImageProcessor } from '../../platform/images/image-processor.ts';
import type { FaceDetector } from '../../platform/faces/face-detector.ts';
import type { JobRegistry as JobPayloads } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { PolicyService } from '../policies/index.ts';
import type { PolicySettings } from '../policies/index.ts';
import type { DevicesService } from '../devices/index.ts';
import type { MediaItemRow, MediaRepository } from './media.repository.ts';

/** The consent register's check, as the media library uses it (ConsentService.mayMany). */
export interface ConsentChecker {
  mayMany(
    schoolId: string,
    checks: readonly {
      pupilId: string;
      purpose: string;
      mediaType: 'image' | 'video';
      at?: Date;
    }[],
  ): Promise<{ allowed: boolean; reason: string }[]>;
}

export interface MediaDeps {
  database: Database;
  repository: MediaRepository;
  audit: AuditService;
  clock: Clock;
  jobs: JobQueue<JobPayloads>;
  files: FileStore;
  images: ImageProcessor;
  faces: FaceDetector;
  policies: PolicyService;
  devices: DevicesService;
  people: PeopleDirectory;
  /** The consent register: which linked faces may stay unblurred for a purpose. */
  consent: ConsentChecker;
  uploadMaxBytes: number;
}

/** A file younger than this is never treated as an orphan (an upload or ingest may be under way). */
export const SWEEP_GRACE_MS = 60 * 60 * 1000;

export function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** '2026-27' for a UK date, by the profile's academic year start (1 September by default). */
export function academicYearKey(settings: PolicySettings, isoDate: string): string {
  const { month, day } = settings.consent.academicYearStart.value;
  const year = Number(isoDate.slice(0, 4));
  const first = isoDate.slice(5) >= `${pad(month)}-${pad(day)}` ? year : year - 1;
  return `${first}-${pad((first + 1) % 100)}`;
}

export function keyFor(schoolId: string, mediaId: string, name: string): string {
  return `${schoolId}/media/${mediaId}/${name}`;
}

/** What the parts share: the deps, the database, the profile's settings, an item, its files. */
export abstract class MediaPart {
  constructor(protected readonly deps: MediaDeps) {}

  protected get db() {
    return this.deps.database.db;
  }

  protected async settings(schoolId: string): Promise<PolicySettings> {
    return (await this.deps.policies.current(schoolId)).settings;
  }

  protected async getItem(schoolId: string, id: string): Promise<MediaItemRow> {
    const item = await this.deps.repository.getById(this.db, schoolId, id);
    if (!item) throw new NotFoundError();
    return item;
  }

  protected async streamKey(key: string, contentType: string) {
    const info = await this.deps.files.stat(key);
    if (!info) throw new NotFoundError();
    try {
      return { stream: await this.deps.files.stream(key), contentType, size: info.size };
    } catch (e) {
      if (e instanceof FileNotFoundError) throw new NotFoundError();
      throw e;
    }
  }

  /** Deletes the known keys, then anything else left under the item's folder. */
  protected async removeFiles(schoolId: string, mediaId: string, keys: string[]): Promise<number> {
    const { files } = this.deps;
    let n = 0;
    for (const key of keys) {
      await files.delete(key);
      n += 1;
    }
    for await (const f of files.list(`${schoolId}/media/${mediaId}`)) {
      await files.delete(f.key);
      n += 1;
    }
    return n;
  }
}
