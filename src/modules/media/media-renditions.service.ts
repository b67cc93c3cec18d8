/**
 * Publishable renditions (`publishing.blurFaces`): a copy of a photo for one consent purpose with
 * every face blurred that consent does not allow to be shown; why an item cannot have one.
 */
import crypto from 'node:crypto';
import type { Region } from '../../platform/images/image-processor.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import type { ConsentPurpose } from '../policies/index.ts';
import type { MediaItemRow, MediaRenditionRow } from './media.repository.ts';
import { keyFor, MediaPart } from './media-shared.ts';

/** Why an item cannot be made publishable (each with a message for staff). */
export type NotPublishableReason =
  | 'swimwear'
  | 'quarantined'
  | 'video'
  | 'not_ready'
  | 'archived'
  | 'unknown_purpose'
  | 'tagged_without_consent';

export class MediaNotPublishableError extends ConflictError {
  constructor(
    readonly reason: NotPublishableReason,
    message: string,
  ) {
    super(message);
  }
}

export interface RenditionBasisEntry {
  seq: number;
  pupilId: string | null;
  blurred: boolean;
  reason: string;
}

const quarantineMessages: Record<string, string> = {
  unregistered_device: 'It was taken on a device that is not registered as a school device.',
  device_not_approved: 'It was taken on a school device that is not approved for photography.',
};

/** Why this item cannot be made publishable, or null if it can. */
export function reasonNotPublishable(
  item: MediaItemRow,
): { reason: NotPublishableReason; message: string } | null {
  if (item.swimwear)
    return {
      reason: 'swimwear',
      message: 'This item is marked as showing swimming or swimwear. It can never be published.',
    };
  if (item.quarantineReason)
    return {
      reason: 'quarantined',
      message: `This item is in quarantine. ${quarantineMessages[item.quarantineReason] ?? ''} It cannot be published unless the device approver releases it.`,
    };
  if (item.archivedAt)
    return {
      reason: 'archived',
      message: 'This item is archived. Archived items are kept read-only and are not published.',
    };
  if (item.kind === 'video')
    return {
      reason: 'video',
      message:
        'Lanyard cannot yet blur faces in videos or remove their metadata, so videos cannot be made publishable here.',
    };
  if (item.status !== 'ready')
    return {
      reason: 'not_ready',
      message:
        item.status === 'failed'
          ? `This photo could not be processed: ${item.failure ?? 'unknown problem'}`
          : 'This photo is still being processed. Try again in a minute.',
    };
  return null;
}

export class MediaRenditions extends MediaPart {
  /** Consent purposes from the profile (for the rendition page). */
  async purposes(schoolId: string): Promise<ConsentPurpose[]> {
    return (await this.settings(schoolId)).consent.purposes.value;
  }

  /**
   * The publishable copy of a photo for one purpose (pseudonymisation, `publishing.blurFaces`): every face box
   * not linked to a pupil whose consent allows this purpose for images is blurred irreversibly;
   * with the profile's `publishing.blurFaces` = 'all', every face is. Refused (with the reason)
   * for swimwear, quarantined, archived, video, unprocessed items, unknown purposes, and when a
   * pupil tagged to the whole photo (so their face cannot be located) lacks consent.
   */
  async publishableRendition(
    schoolId: string,
    itemId: string,
    purpose: string,
    actor: Actor,
  ): Promise<MediaRenditionRow> {
    const { database, repository, audit, clock, files, images } = this.deps;
    const item = await this.getItem(schoolId, itemId);
    const refusal = reasonNotPublishable(item);
    if (refusal) throw new MediaNotPublishableError(refusal.reason, refusal.message);
    const settings = await this.settings(schoolId);
    const purposeDef = settings.consent.purposes.value.find((p) => p.key === purpose);
    if (!purposeDef)
      throw new MediaNotPublishableError(
        'unknown_purpose',
        'Choose one of the purposes in the school’s consent form.',
      );
    const [faces, tags] = await Promise.all([
      repository.faces(this.db, schoolId, itemId),
      repository.pupilTags(this.db, schoolId, itemId),
    ]);
    const blurAll = settings.publishing.blurFaces.value === 'all';
    const at = clock.now();
    const linked = faces.filter((f) => f.pupilId);
    const checks = [
      ...linked.map((f) => ({ pupilId: f.pupilId!, purpose, mediaType: 'image' as const, at })),
      ...tags.map((t) => ({ pupilId: t.pupilId, purpose, mediaType: 'image' as const, at })),
    ];
    const answers = await this.deps.consent.mayMany(schoolId, checks);
    const faceAnswers = new Map(linked.map((f, i) => [f.id, answers[i]!]));
    const tagAnswers = tags.map((t, i) => ({ tag: t, answer: answers[linked.length + i]! }));
    const withoutConsent = tagAnswers.filter(
      (x) => !x.answer.allowed && !linked.some((f) => f.pupilId === x.tag.pupilId),
    );
    if (withoutConsent.length > 0) {
      throw new MediaNotPublishableError(
        'tagged_without_consent',
        `${withoutConsent.length === 1 ? 'A pupil tagged' : `${withoutConsent.length} pupils tagged`} to the whole photo ${withoutConsent.length === 1 ? 'does' : 'do'} not have consent for “${purposeDef.label}”, and Lanyard cannot tell which face to blur. Link ${withoutConsent.length === 1 ? 'them' : 'each of them'} to a face box (or add a box), then try again.`,
      );
    }
    const basis: RenditionBasisEntry[] = faces.map((f) => {
      if (blurAll)
        return {
          seq: f.seq,
          pupilId: f.pupilId,
          blurred: true,
          reason: 'The policy blurs every face.',
        };
      if (!f.pupilId)
        return {
          seq: f.seq,
          pupilId: null,
          blurred: true,
          reason: 'Not linked to a pupil, so there is no consent.',
        };
      const a = faceAnswers.get(f.id)!;
      return { seq: f.seq, pupilId: f.pupilId, blurred: !a.allowed, reason: a.reason };
    });
    const regions: Region[] = faces
      .filter((_, i) => basis[i]!.blurred)
      .map((f) => ({ x: f.x, y: f.y, width: f.width, height: f.height }));
    const original = await files.read(item.originalKey!);
    const out =
      regions.length > 0
        ? await images.blurRegions(original, regions)
        : await images.normalise(original);
    const key = keyFor(schoolId, itemId, `rendition-${purpose}.jpg`);
    const temp = await files.writeTemp(out.data);
    let row: MediaRenditionRow;
    try {
      row = await database.transaction(async (tx) => {
        const locked = await repository.getForUpdate(tx.db, schoolId, itemId);
        if (!locked) throw new NotFoundError();
        const again = reasonNotPublishable(locked);
        if (again) throw new MediaNotPublishableError(again.reason, again.message);
        const saved = await repository.upsertRendition(tx.db, {
          id: crypto.randomUUID(),
          schoolId,
          mediaId: itemId,
          purpose,
          fileKey: key,
          width: out.width,
          height: out.height,
          sizeBytes: out.data.length,
          facesTotal: faces.length,
          facesBlurred: regions.length,
          basis,
          createdBy: actor.kind === 'staff' ? actor.id : null,
          createdAt: clock.now(),
        });
        await audit.record(tx, {
          schoolId,
          actor,
          action: 'media.rendition-created',
          entityType: 'media_item',
          entityId: itemId,
          data: {
            purpose,
            facesTotal: faces.length,
            facesBlurred: regions.length,
            blurAll,
            consentRegister: this.deps.consent ? 'checked' : 'unavailable',
          },
        });
        return saved;
      });
    } catch (e) {
      await files.discard(temp.name);
      throw e;
    }
    await files.commit(temp.name, key);
    return row;
  }

  async rendition(schoolId: string, id: string, purpose: string): Promise<MediaRenditionRow> {
    await this.getItem(schoolId, id);
    const r = await this.deps.repository.getRendition(this.db, schoolId, id, purpose);
    if (!r) throw new NotFoundError();
    return r;
  }

  async renditionFile(schoolId: string, id: string, purpose: string) {
    const r = await this.rendition(schoolId, id, purpose);
    return this.streamKey(r.fileKey, 'image/jpeg');
  }
}
