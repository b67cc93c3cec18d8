import crypto from 'node:crypto';
import type { Database } from '../../platform/db/database.ts';
import type { UploadSlotsRepository } from './upload-slots.repository.ts';

/**
 * How many uploads one person has running, counted in PostgreSQL so every web process sees the
 * same count (used by web/uploads.ts for every upload route, not only the media library's).
 */
export class UploadSlotsService {
  constructor(private readonly deps: { database: Database; repository: UploadSlotsRepository }) {}

  /** A lease id, or null when `max` uploads of this person are already running. */
  async acquire(personKey: string, max: number, ttlMs: number): Promise<string | null> {
    const id = crypto.randomUUID();
    const ok = await this.deps.database.transaction((tx) =>
      this.deps.repository.tryInsert(tx.db, { id, personKey, ttlMs, max }),
    );
    return ok ? id : null;
  }

  async renew(id: string, ttlMs: number): Promise<void> {
    await this.deps.repository.renew(this.deps.database.db, id, ttlMs);
  }

  async release(id: string): Promise<void> {
    await this.deps.repository.delete(this.deps.database.db, id);
  }
}
