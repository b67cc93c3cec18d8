/**
 * The library as staff read it: the listing, the tagging page's view of an item (its boxes, tags,
 * renditions and whether it can be published), the pupils the tagging picker offers, and the
 * staff-only files of an item.
 */
import type { Readable } from 'node:stream';
import { ukDate } from '../../platform/clock.ts';
import { NotFoundError } from '../../errors.ts';
import type { PupilRow } from '../people/index.ts';
import type { PupilScope } from '../people/index.ts';
import type {
  LibraryView,
  MediaFaceRow,
  MediaItemRow,
  MediaPupilTagRow,
  MediaRenditionRow,
} from './media.repository.ts';
import { describePupils, yearLabel, type PickerPupil } from './pupil-picker.ts';
import { MediaPart } from './media-shared.ts';
import { reasonNotPublishable, type NotPublishableReason } from './media-renditions.service.ts';

/**
 * A pupil linked or tagged to an item, as the person looking may see them: within their pupil
 * scope, the name, class, year and label; outside it (or with no scope given) `hidden`, with no
 * name, class or id to show.
 */
export interface TaggedPupilView {
  id: string;
  name: string;
  className: string | null;
  year: string;
  /** "Samuel Ahmed (4 Oak, Year 4)", or words saying the pupil is not one this person sees. */
  label: string;
  hidden: boolean;
}

export interface FaceView extends MediaFaceRow {
  pupil: TaggedPupilView | null;
}

export interface ItemView {
  item: MediaItemRow;
  faces: FaceView[];
  pupilTags: (MediaPupilTagRow & TaggedPupilView)[];
  renditions: MediaRenditionRow[];
  device: { id: string; name: string; assetTag: string; status: string } | null;
  /** Distinct pupils linked to a box or tagged to the whole photo. */
  taggedPupils: number;
  /** Faces (boxes) outnumber tagged pupils: someone in the photo is not identified. */
  facesOutnumberTags: boolean;
  publishable: { ok: true } | { ok: false; reason: NotPublishableReason; message: string };
}

const PAGE_SIZE = 24;

function pupilName(p: Pick<PupilRow, 'givenName' | 'familyName'>): string {
  return `${p.givenName} ${p.familyName}`;
}

export class MediaLibrary extends MediaPart {
  async list(schoolId: string, view: LibraryView, page: number) {
    const { rows, total } = await this.deps.repository.list(this.db, schoolId, view, {
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    });
    const tagged = await this.deps.repository.taggedCounts(
      this.db,
      schoolId,
      rows.map((r) => r.id),
    );
    return {
      rows: rows.map((r) => ({ ...r, taggedPupils: tagged.get(r.id) ?? 0 })),
      total,
      page,
      pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    };
  }

  /**
   * The pupils on roll this person may see (their pupil scope), for the tagging picker: the whole
   * school for school-wide staff, their classes for a teacher, nobody for anyone else.
   */
  async pickerPupils(scope: PupilScope): Promise<PickerPupil[]> {
    const classNames = scope.classFilter;
    if (scope.kind === 'none' || (classNames && classNames.length === 0)) return [];
    const { rows } = await this.deps.people.listPupils(
      this.db,
      scope.schoolId,
      { today: ukDate(this.deps.clock.now()), classNames: classNames ?? undefined },
      { limit: 100_000, offset: 0 },
    );
    return rows;
  }

  /**
   * The tagging page: the item, its boxes and tags, renditions, and the faces-vs-tags check.
   * Linked and tagged pupils are named only within `scope` (the person's pupil scope); without
   * a scope nobody is named.
   */
  async view(schoolId: string, id: string, scope?: PupilScope): Promise<ItemView> {
    const { repository, people } = this.deps;
    const item = await this.getItem(schoolId, id);
    const [faces, tags, renditions] = await Promise.all([
      repository.faces(this.db, schoolId, id),
      repository.pupilTags(this.db, schoolId, id),
      repository.renditions(this.db, schoolId, id),
    ]);
    const pupilIds = [
      ...new Set([
        ...faces.map((f) => f.pupilId).filter((x): x is string => !!x),
        ...tags.map((t) => t.pupilId),
      ]),
    ];
    const pupils = new Map<string, PupilRow>();
    if (scope && scope.kind !== 'none') {
      for (const pid of pupilIds) {
        const p = await people.getPupil(this.db, schoolId, pid);
        if (p && scope.includes(p)) pupils.set(pid, p);
      }
    }
    const labels = describePupils([...pupils.values()]);
    const describe = (pid: string | null): TaggedPupilView | null => {
      if (!pid) return null;
      const p = pupils.get(pid);
      const choice = labels.get(pid);
      if (!p || !choice) {
        return {
          id: '',
          name: '',
          className: null,
          year: '',
          label: 'a pupil who is not in your classes',
          hidden: true,
        };
      }
      return {
        id: p.id,
        name: pupilName(p),
        className: p.className,
        year: yearLabel(p.yearGroup),
        label: choice.label,
        hidden: false,
      };
    };
    let device: ItemView['device'] = null;
    if (item.deviceId) {
      const d = await this.deps.devices.get(schoolId, item.deviceId).catch(() => null);
      if (d) device = { id: d.id, name: d.name, assetTag: d.assetTag, status: d.status };
    }
    const taggedPupils = pupilIds.length;
    const notPublishable = reasonNotPublishable(item);
    return {
      item,
      faces: faces.map((f) => ({ ...f, pupil: describe(f.pupilId) })),
      pupilTags: tags.map((t) => ({ ...t, ...describe(t.pupilId)! })),
      renditions,
      device,
      taggedPupils,
      facesOutnumberTags: faces.length > taggedPupils,
      publishable: notPublishable ? { ok: false, ...notPublishable } : { ok: true },
    };
  }

  /**
   * A staff-only file of the item: the upright, metadata-free copy ('original') or the preview.
   * Never served outside the staff pages of the item's own school.
   */
  async file(
    schoolId: string,
    id: string,
    which: 'original' | 'preview',
  ): Promise<{ stream: Readable; contentType: string; size: number }> {
    const item = await this.getItem(schoolId, id);
    const key = which === 'original' ? item.originalKey : item.thumbnailKey;
    if (!key) throw new NotFoundError();
    return this.streamKey(key, which === 'original' ? item.contentType : 'image/jpeg');
  }
}
