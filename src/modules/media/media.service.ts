import type { MediaDeps } from './media-shared.ts';
import type { MediaRepository } from './media.repository.ts';
import { MediaUploads } from './media-upload.service.ts';
import { MediaIngest } from './media-ingest.service.ts';
import { MediaLibrary } from './media-library.service.ts';
import { MediaTagging } from './media-tagging.service.ts';
import { MediaRenditions } from './media-renditions.service.ts';
import { MediaQuarantine } from './media-quarantine.service.ts';
import { MediaRetention } from './media-retention.service.ts';

export type {
  LibraryView,
  MediaFaceRow,
  MediaItemRow,
  MediaRenditionRow,
  RetentionRunRow,
} from './media.repository.ts';
export { academicYearKey, SWEEP_GRACE_MS, type ConsentChecker } from './media-shared.ts';
export type { UploadFile, UploadResult } from './media-upload.service.ts';
export { PREVIEW_SIZE } from './media-ingest.service.ts';
export type { FaceView, ItemView, TaggedPupilView } from './media-library.service.ts';
export {
  MediaNotPublishableError,
  type NotPublishableReason,
  type RenditionBasisEntry,
} from './media-renditions.service.ts';
export {
  STALLED_INGEST_MS,
  type RetentionReport,
  type SweepReport,
} from './media-retention.service.ts';

/**
 * The media library and privacy pipeline (SPEC §3.4): upload from registered devices, the
 * ingest job (upright, metadata stripped, preview, face boxes), tagging, publishable renditions
 * with faces blurred by consent, quarantine review, retention (`media.retention`) and the orphan
 * sweeper.
 *
 * Files and rows stay consistent (ARCHITECTURE rule 10): bytes go to a temporary file, the row
 * commits, then the file moves into place; deleting an item deletes its rows in one transaction
 * and then its files; the sweeper removes what a crash left in between.
 *
 * This class is the module's one public surface; the work is done by its parts, one per concern
 * (media-upload, media-ingest, media-library, media-tagging, media-renditions, media-quarantine
 * and media-retention .service.ts), which share one deps object and the helpers in
 * media-shared.ts. Each method here hands its call to the part that owns it.
 */
export class MediaService {
  private readonly uploads: MediaUploads;
  private readonly ingester: MediaIngest;
  private readonly library: MediaLibrary;
  private readonly tagging: MediaTagging;
  private readonly renditions: MediaRenditions;
  private readonly quarantine: MediaQuarantine;
  private readonly retention: MediaRetention;

  constructor(private readonly deps: MediaDeps) {
    this.uploads = new MediaUploads(deps);
    this.ingester = new MediaIngest(deps);
    this.library = new MediaLibrary(deps);
    this.tagging = new MediaTagging(deps, this.uploads);
    this.renditions = new MediaRenditions(deps);
    this.quarantine = new MediaQuarantine(deps, this.library);
    this.retention = new MediaRetention(deps, this.uploads, this.ingester);
  }

  // Upload (media-upload.service.ts)

  checkEventLabel(...a: Parameters<MediaUploads['checkEventLabel']>) {
    return this.uploads.checkEventLabel(...a);
  }
  upload(...a: Parameters<MediaUploads['upload']>) {
    return this.uploads.upload(...a);
  }
  recoverUploads() {
    return this.uploads.recoverUploads();
  }

  // Ingest (media-ingest.service.ts)

  ingest(...a: Parameters<MediaIngest['ingest']>) {
    return this.ingester.ingest(...a);
  }

  // Reading (media-library.service.ts)

  list(...a: Parameters<MediaLibrary['list']>) {
    return this.library.list(...a);
  }
  pickerPupils(...a: Parameters<MediaLibrary['pickerPupils']>) {
    return this.library.pickerPupils(...a);
  }
  view(...a: Parameters<MediaLibrary['view']>) {
    return this.library.view(...a);
  }
  file(...a: Parameters<MediaLibrary['file']>) {
    return this.library.file(...a);
  }

  // Tagging and details (media-tagging.service.ts)

  updateDetails(...a: Parameters<MediaTagging['updateDetails']>) {
    return this.tagging.updateDetails(...a);
  }
  addFace(...a: Parameters<MediaTagging['addFace']>) {
    return this.tagging.addFace(...a);
  }
  removeFace(...a: Parameters<MediaTagging['removeFace']>) {
    return this.tagging.removeFace(...a);
  }
  linkFace(...a: Parameters<MediaTagging['linkFace']>) {
    return this.tagging.linkFace(...a);
  }
  tagPupil(...a: Parameters<MediaTagging['tagPupil']>) {
    return this.tagging.tagPupil(...a);
  }
  untagPupil(...a: Parameters<MediaTagging['untagPupil']>) {
    return this.tagging.untagPupil(...a);
  }

  // Publishable renditions (media-renditions.service.ts)

  purposes(...a: Parameters<MediaRenditions['purposes']>) {
    return this.renditions.purposes(...a);
  }
  publishableRendition(...a: Parameters<MediaRenditions['publishableRendition']>) {
    return this.renditions.publishableRendition(...a);
  }
  rendition(...a: Parameters<MediaRenditions['rendition']>) {
    return this.renditions.rendition(...a);
  }
  renditionFile(...a: Parameters<MediaRenditions['renditionFile']>) {
    return this.renditions.renditionFile(...a);
  }

  // Quarantine review and deletion (media-quarantine.service.ts)

  isQuarantineReviewer(...a: Parameters<MediaQuarantine['isQuarantineReviewer']>) {
    return this.quarantine.isQuarantineReviewer(...a);
  }
  listQuarantine(...a: Parameters<MediaQuarantine['listQuarantine']>) {
    return this.quarantine.listQuarantine(...a);
  }
  release(...a: Parameters<MediaQuarantine['release']>) {
    return this.quarantine.release(...a);
  }
  delete(...a: Parameters<MediaQuarantine['delete']>) {
    return this.quarantine.delete(...a);
  }

  // Retention and the orphan sweeper (media-retention.service.ts)

  runRetention(...a: Parameters<MediaRetention['runRetention']>) {
    return this.retention.runRetention(...a);
  }
  retentionRuns(...a: Parameters<MediaRetention['retentionRuns']>) {
    return this.retention.retentionRuns(...a);
  }
  sweepOrphans() {
    return this.retention.sweepOrphans();
  }

  // Reads for other modules (publishing's posts). Each takes the caller's `db` (the pool's, or
  // `tx.db` inside the caller's transaction) and answers a whole batch in one statement.

  /** This school's library items among `ids`. */
  itemsByIds(...a: Parameters<MediaRepository['itemsByIds']>) {
    return this.deps.repository.itemsByIds(...a);
  }
  /** The pupils in these items (tagged, or linked to a face box), one row per item and pupil. */
  pupilsInItems(...a: Parameters<MediaRepository['pupilsInItems']>) {
    return this.deps.repository.pupilsInItems(...a);
  }
  /** Face boxes per item. */
  faceCounts(...a: Parameters<MediaRepository['faceCounts']>) {
    return this.deps.repository.faceCounts(...a);
  }
}
