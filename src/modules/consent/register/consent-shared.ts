import type { Database } from '../../../platform/db/database.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { FileStore } from '../../../platform/files/file-store.ts';
import type { ScanSanitiser } from '../../../platform/images/scan-sanitiser.ts';
import type { AuditService } from '../../audit/index.ts';
import type { EventsService } from '../../events/index.ts';
import type { PolicyService } from '../../policies/index.ts';
import type { PolicySettings } from '../../policies/index.ts';
import type { ConsentRepository } from './consent.repository.ts';
import type { ConsentRegisterCache } from './consent-register-cache.ts';
import type { PeopleDirectory } from '../../people/index.ts';

/** What ConsentService is built from; its parts (the check, recording, evidence, reads) share it. */
export interface ConsentDeps {
  database: Database;
  /** A parent's children come from the people module (one definition, not a second query). */
  people: Pick<PeopleDirectory, 'childrenOfParent'>;
  repository: ConsentRepository;
  audit: AuditService;
  events: EventsService;
  policies: PolicyService;
  clock: Clock;
  files: FileStore;
  /** Strips EXIF/XMP and PDF document information from a scan before it is stored. */
  scans: Pick<ScanSanitiser, 'strip' | 'clean'>;
  evidenceMaxBytes: number;
  /** The check's in-process cache (ADR 0009); without it every check reads the database. */
  cache?: ConsentRegisterCache;
}

/** The school's current rules (its policy profile). */
export async function currentSettings(
  deps: Pick<ConsentDeps, 'policies'>,
  schoolId: string,
): Promise<PolicySettings> {
  return (await deps.policies.current(schoolId)).settings;
}

/**
 * A real calendar date as yyyy-mm-dd. `Date.parse('2026-02-30')` is not NaN (it rolls over to
 * 2 March), and PostgreSQL would then reject the row with a 500; check the round trip instead.
 */
export function isRealDate(iso: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return false;
  const t = Date.parse(`${iso}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === iso;
}
