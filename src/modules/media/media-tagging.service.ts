/**
 * Tagging and an item's details: face boxes added and removed, faces linked to pupils, pupils
 * tagged to the whole photo, the event label, swimwear and evidence flags. Each change is one
 * transaction with one audit event, and drops the item's renditions, which it outdates. Pupils
 * outside the person's pupil scope can be neither linked nor unlinked by them.
 */
import type { Database } from '../../platform/db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import type { PupilRow } from '../people/index.ts';
import type { PupilScope } from '../people/index.ts';
import type { MediaItemRow } from './media.repository.ts';
import { MediaPart, type MediaDeps } from './media-shared.ts';
import type { MediaUploads } from './media-upload.service.ts';

export class MediaTagging extends MediaPart {
  constructor(
    deps: MediaDeps,
    /** For the event-label rule, which uploads and edits share. */
    private readonly uploads: MediaUploads,
  ) {
    super(deps);
  }

  /** Runs a change on a working (not archived) item and drops its renditions, which it outdates. */
  private async change(
    schoolId: string,
    actor: Actor,
    id: string,
    action: string,
    fn: (
      tx: Parameters<Parameters<Database['transaction']>[0]>[0],
      item: MediaItemRow,
    ) => Promise<Record<string, unknown>>,
    options: { keepRenditions?: boolean } = {},
  ): Promise<void> {
    const { database, repository, audit, files } = this.deps;
    const stale = await database.transaction(async (tx) => {
      const item = await repository.getForUpdate(tx.db, schoolId, id);
      if (!item) throw new NotFoundError();
      if (item.archivedAt)
        throw new ConflictError('This item is archived. Archived items are read-only.');
      const data = await fn(tx, item);
      const keys = options.keepRenditions
        ? []
        : await repository.deleteRenditions(tx.db, schoolId, id);
      await audit.record(tx, {
        schoolId,
        actor,
        action,
        entityType: 'media_item',
        entityId: id,
        data: { ...data, ...(keys.length ? { renditionsRemoved: keys.length } : {}) },
      });
      return keys;
    });
    for (const key of stale) await files.delete(key);
  }

  /** A pupil of the school (and, given a scope, one this person may see), else a field error. */
  private async assertPupil(
    schoolId: string,
    pupilId: string,
    field = 'pupilId',
    scope?: PupilScope,
  ): Promise<PupilRow> {
    const p = await this.deps.people.getPupil(this.db, schoolId, pupilId);
    if (!p || (scope && !scope.includes(p)))
      throw new ValidationError({ [field]: 'Select a pupil from the list' });
    return p;
  }

  /** A face linked to a pupil this person may not see cannot be changed by them. */
  private async assertFaceChangeable(
    schoolId: string,
    id: string,
    faceId: string,
    scope: PupilScope | undefined,
    field: string,
  ): Promise<void> {
    if (!scope || scope.wholeSchool) return;
    const face = await this.deps.repository.getFace(this.db, schoolId, id, faceId);
    if (!face?.pupilId) return;
    const p = await this.deps.people.getPupil(this.db, schoolId, face.pupilId);
    if (!p || !scope.includes(p))
      throw new ValidationError({
        [field]:
          'This face is linked to a pupil who is not in your classes, so only someone who teaches them or a member of the school office can change it',
      });
  }

  async updateDetails(
    schoolId: string,
    actor: Actor,
    id: string,
    input: { eventLabel: string; swimwear: boolean; evidence: boolean },
  ): Promise<void> {
    await this.uploads.checkEventLabel(schoolId, input.eventLabel);
    await this.change(
      schoolId,
      actor,
      id,
      'media.details-updated',
      async (tx, item) => {
        // The swimwear flag is a hard stop: once set it is never cleared (`media.swimwearBan`).
        const swimwear = item.swimwear || input.swimwear;
        await this.deps.repository.update(tx.db, schoolId, id, {
          eventLabel: input.eventLabel,
          swimwear,
          evidenceOfAchievement: input.evidence,
        });
        return {
          labelChanged: input.eventLabel !== item.eventLabel,
          swimwear,
          evidenceOfAchievement: input.evidence,
        };
      },
      { keepRenditions: false },
    );
  }

  async addFace(
    schoolId: string,
    actor: Actor,
    id: string,
    box: { x: number; y: number; width: number; height: number },
  ): Promise<void> {
    await this.change(schoolId, actor, id, 'media.face-added', async (tx, item) => {
      if (item.kind !== 'image' || item.status !== 'ready' || !item.width || !item.height)
        throw new ConflictError('Face boxes can only be added to a processed photo.');
      const errors: Record<string, string> = {};
      if (box.x >= item.width) errors.x = `The left edge must be less than ${item.width}`;
      if (box.y >= item.height) errors.y = `The top edge must be less than ${item.height}`;
      if (box.x + box.width > item.width)
        errors.width = `The box goes past the right edge of the photo (${item.width} pixels wide)`;
      if (box.y + box.height > item.height)
        errors.height = `The box goes past the bottom of the photo (${item.height} pixels high)`;
      if (Object.keys(errors).length) throw new ValidationError(errors);
      // Numbers stay stable: a removed detector box's number is not reused.
      const seq = Math.max(
        await this.deps.repository.nextFaceSeq(tx.db, id),
        (item.detectedFaces ?? 0) + 1,
      );
      await this.deps.repository.insertFaces(tx.db, [
        {
          schoolId,
          mediaId: id,
          seq,
          ...box,
          score: null,
          source: 'staff',
          createdAt: this.deps.clock.now(),
        },
      ]);
      return { seq, ...box };
    });
  }

  async removeFace(
    schoolId: string,
    actor: Actor,
    id: string,
    faceId: string,
    scope?: PupilScope,
  ): Promise<void> {
    await this.assertFaceChangeable(schoolId, id, faceId, scope, 'faceId');
    await this.change(schoolId, actor, id, 'media.face-removed', async (tx) => {
      const face = await this.deps.repository.getFace(tx.db, schoolId, id, faceId);
      if (!face) throw new ValidationError({ faceId: 'That face box is no longer on this photo' });
      await this.deps.repository.deleteFace(tx.db, faceId);
      return { seq: face.seq, source: face.source };
    });
  }

  async linkFace(
    schoolId: string,
    actor: Actor,
    id: string,
    faceId: string,
    pupilId: string | null,
    scope?: PupilScope,
  ): Promise<void> {
    await this.assertFaceChangeable(schoolId, id, faceId, scope, `pupil-${faceId}`);
    if (pupilId) await this.assertPupil(schoolId, pupilId, `pupil-${faceId}`, scope);
    await this.change(
      schoolId,
      actor,
      id,
      pupilId ? 'media.face-linked' : 'media.face-unlinked',
      async (tx) => {
        const face = await this.deps.repository.getFace(tx.db, schoolId, id, faceId);
        if (!face)
          throw new ValidationError({ faceId: 'That face box is no longer on this photo' });
        await this.deps.repository.setFacePupil(tx.db, faceId, pupilId);
        return { seq: face.seq, pupilId };
      },
    );
  }

  async tagPupil(
    schoolId: string,
    actor: Actor,
    id: string,
    pupilId: string,
    scope?: PupilScope,
  ): Promise<void> {
    await this.assertPupil(schoolId, pupilId, 'pupilId', scope);
    await this.change(schoolId, actor, id, 'media.pupil-tagged', async (tx) => {
      await this.deps.repository.addPupilTag(tx.db, {
        schoolId,
        mediaId: id,
        pupilId,
        taggedBy: actor.kind === 'staff' ? actor.id : null,
        createdAt: this.deps.clock.now(),
      });
      return { pupilId };
    });
  }

  async untagPupil(
    schoolId: string,
    actor: Actor,
    id: string,
    pupilId: string,
    scope?: PupilScope,
  ): Promise<void> {
    if (scope) {
      const p = await this.deps.people.getPupil(this.db, schoolId, pupilId);
      if (!p || !scope.includes(p))
        throw new ValidationError({ pupilId: 'That pupil is not tagged to this item' });
    }
    await this.change(schoolId, actor, id, 'media.pupil-untagged', async (tx) => {
      if (!(await this.deps.repository.removePupilTag(tx.db, schoolId, id, pupilId)))
        throw new ValidationError({ pupilId: 'That pupil is not tagged to this item' });
      return { pupilId };
    });
  }
}
