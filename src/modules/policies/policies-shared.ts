/**
 * What every part of the policy service is given (policies.service.ts builds the parts from it),
 * the date helpers, and the transaction helpers the parts share: the profile row locked for an
 * edit, its current settings, and a new version written and made current. The parts:
 * policies-versions.service.ts, policies-save.service.ts and policies-review.service.ts.
 */
import type { Database, Tx } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { EventsService } from '../events/index.ts';
import type { PolicyRepository, ProfileRow, ProfileVersionRow } from './policies.repository.ts';
import { policySettingsSchema, type PolicySettings } from './policy-settings.ts';

export interface PolicyDeps {
  database: Database;
  repository: PolicyRepository;
  /** Read lazily: people are wired after the policies. */
  people: Pick<PeopleDirectory, 'staffWithRole' | 'getSchool'>;
  audit: AuditService;
  clock: Clock;
  mailer: Mailer;
  baseUrl: string;
  /** The outbox: a new version is announced in its own transaction. */
  events: Pick<EventsService, 'emit'>;
  /**
   * Records a new version as substantive or minor (the acknowledgements module's
   * `markVersion`, wired after the policies: used lazily), in the publishing transaction.
   */
  markVersion?: (
    tx: Tx,
    input: { schoolId: string; versionId: string; version: number; substantive: boolean },
    actor: Actor,
  ) => Promise<void>;
}

export interface CurrentPolicy {
  profile: ProfileRow;
  version: number;
  settings: PolicySettings;
  templateKey: string;
  nextReviewDate: string;
}

export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(
    Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
  ).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

export function addDays(isoDate: string, days: number): string {
  const t = new Date(`${isoDate}T12:00:00Z`);
  t.setUTCDate(t.getUTCDate() + days);
  return t.toISOString().slice(0, 10);
}

/** What the parts share: the deps and the profile's rows inside a transaction. */
export abstract class PolicyPart {
  constructor(protected readonly deps: PolicyDeps) {}

  /** The profile row, locked FOR UPDATE until the transaction ends (NotFoundError without one). */
  protected async lockProfile(tx: Tx, schoolId: string): Promise<ProfileRow> {
    const profile = await this.deps.repository.getProfileForUpdate(tx.db, schoolId);
    if (!profile) throw new NotFoundError();
    return profile;
  }

  /** `lockProfile`, refused (ConflictError) when the current version is not the one edited. */
  protected async lockProfileAt(
    tx: Tx,
    schoolId: string,
    expectedVersion: number,
  ): Promise<ProfileRow> {
    const profile = await this.lockProfile(tx, schoolId);
    if (profile.currentVersion !== expectedVersion)
      throw new ConflictError(
        'Someone else changed the policy while you were editing. Your changes were not saved; review the new version and try again.',
      );
    return profile;
  }

  /** The current version's settings, read and parsed inside the transaction. */
  protected async settingsIn(tx: Tx, schoolId: string, profile: ProfileRow) {
    const current = await this.deps.repository.version(tx.db, schoolId, profile.currentVersion);
    return policySettingsSchema.parse(current!.settings);
  }

  /**
   * Writes the next version of the profile and makes it current (with `nextReviewDate`); the
   * caller records the audit event and announces it.
   */
  protected async writeNextVersion(
    tx: Tx,
    schoolId: string,
    profile: ProfileRow,
    actor: Actor,
    input: { settings: ProfileVersionRow['settings']; note: string; nextReviewDate: string },
  ): Promise<{ created: ProfileVersionRow; version: number }> {
    const { repository } = this.deps;
    const version = profile.currentVersion + 1;
    const created = await repository.createVersion(tx.db, {
      schoolId,
      profileId: profile.id,
      version,
      settings: input.settings,
      changeNote: input.note.trim(),
      createdBy: actor.kind === 'staff' ? actor.id : null,
    });
    await repository.setCurrent(tx.db, profile.id, version, input.nextReviewDate);
    return { created, version };
  }
}
