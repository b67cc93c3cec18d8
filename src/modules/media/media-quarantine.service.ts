/**
 * Quarantine review and deletion, by the device approver the profile names: the quarantine list,
 * releasing an item into the library, and deleting an item (its rows, then every file).
 */
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import type { Principal } from '../auth/index.ts';
import type { MediaItemRow, MediaRepository } from './media.repository.ts';
import { canReviewQuarantine } from './media.policy.ts';
import { MediaPart, type MediaDeps } from './media-shared.ts';
import type { MediaLibrary } from './media-library.service.ts';

export class MediaQuarantine extends MediaPart {
  constructor(
    deps: MediaDeps,
    private readonly library: MediaLibrary,
  ) {
    super(deps);
  }

  private async assertApprover(p: Principal): Promise<{ schoolId: string; actor: Actor }> {
    if (p.kind !== 'staff') throw new NotFoundError();
    const { role, byResponsibility } = await this.deps.devices.approverFor(p);
    if (!canReviewQuarantine(p, role, byResponsibility)) throw new NotFoundError();
    return { schoolId: p.schoolId, actor: { kind: 'staff', id: p.id } };
  }

  /** Whether this person reviews the quarantine under the current profile. */
  async isQuarantineReviewer(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    const { role, byResponsibility } = await this.deps.devices.approverFor(p);
    return canReviewQuarantine(p, role, byResponsibility);
  }

  async listQuarantine(p: Principal, page: number) {
    const { schoolId } = await this.assertApprover(p);
    return this.library.list(schoolId, 'quarantine', page);
  }

  /** The approver has checked where it came from and releases it into the library. */
  async release(p: Principal, id: string): Promise<void> {
    const { schoolId, actor } = await this.assertApprover(p);
    const { database, repository, audit, clock } = this.deps;
    await database.transaction(async (tx) => {
      const item = await repository.getForUpdate(tx.db, schoolId, id);
      if (!item) throw new NotFoundError();
      if (!item.quarantineReason) throw new ConflictError('This item is not in quarantine.');
      await repository.update(tx.db, schoolId, id, {
        quarantineReason: null,
        releasedBy: actor.id,
        releasedAt: clock.now(),
      });
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'media.released-from-quarantine',
        entityType: 'media_item',
        entityId: id,
        data: { reason: item.quarantineReason },
      });
    });
  }

  /** The approver deletes an item (from quarantine or the library): rows, then every file. */
  async delete(p: Principal, id: string): Promise<void> {
    const { schoolId, actor } = await this.assertApprover(p);
    const { database, repository, audit } = this.deps;
    const keys = await database.transaction(async (tx) => {
      const item = await repository.getForUpdate(tx.db, schoolId, id);
      if (!item) throw new NotFoundError();
      const keys = await this.keysOf(tx.db, item);
      await repository.delete(tx.db, schoolId, id);
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'media.deleted',
        entityType: 'media_item',
        entityId: id,
        data: { kind: item.kind, quarantined: item.quarantineReason !== null, files: keys.length },
      });
      return keys;
    });
    await this.removeFiles(schoolId, id, keys);
  }

  private async keysOf(db: Parameters<MediaRepository['renditionKeysFor']>[0], item: MediaItemRow) {
    const renditions =
      (await this.deps.repository.renditionKeysFor(db, [item.id])).get(item.id) ?? [];
    return [item.uploadKey, item.originalKey, item.thumbnailKey, ...renditions].filter(
      (k): k is string => !!k,
    );
  }
}
