import type { Db } from '../../../platform/db/database.ts';
import { ukDate } from '../../../platform/clock.ts';
import { NotFoundError } from '../../../errors.ts';
import type { MediaType, PolicySettings } from '../../policies/index.ts';
import { RegisterVersionReader, type ConsentRegisterCache } from './consent-register-cache.ts';
import { checkWindowStart, currentPosition, decide, type ConsentAnswer } from './consent-rules.ts';
import { currentSettings, type ConsentDeps } from './consent-shared.ts';

export interface MayInput {
  schoolId: string;
  pupilId: string;
  purpose: string;
  mediaType: MediaType;
  /** The pupil's name would appear with the picture (`consent.namedPhotoNeedsWrittenPermission`). */
  named?: boolean;
  /** When the picture would be used; now by default. */
  at?: Date;
}

/**
 * The consent check (ADR 0006, 0009): may these pupils appear in this media for this purpose, at
 * this moment? From the register cache when it holds the school's current register version,
 * otherwise straight from the database in one round trip; and the current answers for pages.
 */
export class ConsentCheck {
  constructor(private readonly deps: ConsentDeps) {
    this.versions = new RegisterVersionReader((schoolIds) =>
      deps.repository.registerVersions(deps.database.db, schoolIds),
    );
  }

  /** The school's current rules. */
  settings(schoolId: string): Promise<PolicySettings> {
    return currentSettings(this.deps, schoolId);
  }

  /** Register versions for cached checks, many checks to a statement (ADR 0009). */
  private readonly versions: RegisterVersionReader;

  /** Parsed rules by school and policy version. A version never changes once written. */
  private readonly settingsByVersion = new Map<string, PolicySettings>();

  /**
   * The rules of the policy version the facts query saw as current: from memory after the first
   * time, so a check is one round trip and never applies rules older than that version.
   */
  private async settingsAt(schoolId: string, version: number | null): Promise<PolicySettings> {
    const key = `${schoolId}:${version}`;
    const cached = version === null ? undefined : this.settingsByVersion.get(key);
    if (cached) return cached;
    const current = await this.deps.policies.current(schoolId);
    if (version !== null && current.version === version) {
      if (this.settingsByVersion.size > 5_000) this.settingsByVersion.clear();
      this.settingsByVersion.set(key, current.settings);
    }
    return current.settings;
  }

  /** May this pupil appear in this media for this purpose at `at`? With the reason and clause. */
  async may(input: MayInput): Promise<ConsentAnswer> {
    const [answer] = await this.mayMany(input.schoolId, [input]);
    return answer!;
  }

  /**
   * The check for many pupils at once (one round trip). A pupil who is not in the school is a
   * NotFoundError, exactly like a missing one.
   */
  async mayMany(
    schoolId: string,
    checks: readonly Omit<MayInput, 'schoolId'>[],
  ): Promise<ConsentAnswer[]> {
    if (checks.length === 0) return [];
    const now = this.deps.clock.now();
    const cache = this.deps.cache;
    if (cache && cache.maxPupils > 0) {
      const earliest = checks.reduce((m, c) => Math.min(m, (c.at ?? now).getTime()), Infinity);
      // The cache answers any moment from today on; a question about the past reads the records
      // made by then (below).
      if (ukDate(new Date(earliest)) >= ukDate(now)) {
        return this.mayManyCached(cache, schoolId, checks, now);
      }
    }
    return this.mayManyDirect(schoolId, checks, now);
  }

  /**
   * The check inside the caller's transaction (publishing, SPEC §3.5, ADR 0009): reads the
   * school's register version FOR SHARE first, so a withdrawal committed before it is always
   * seen and one committing meanwhile waits for this transaction. Answers from the cache only
   * when it holds exactly that version; otherwise reads the facts through `db`.
   */
  async mayManyInTransaction(
    db: Db,
    schoolId: string,
    checks: readonly Omit<MayInput, 'schoolId'>[],
  ): Promise<{ answers: ConsentAnswer[]; registerVersion: number }> {
    const registerVersion = await this.deps.repository.registerVersionForShare(db, schoolId);
    if (checks.length === 0) return { answers: [], registerVersion };
    const now = this.deps.clock.now();
    const today = ukDate(now);
    const ids = [...new Set(checks.map((c) => c.pupilId))];
    const entry = this.deps.cache?.get(schoolId);
    const fromCache =
      entry &&
      entry.version === registerVersion &&
      checks.every((c) => (c.at ?? now).getTime() >= now.getTime() - 1000) &&
      ids.every((id) => entry.pupils.get(id)?.covers(today));
    if (fromCache) {
      return {
        registerVersion,
        answers: checks.map((c) =>
          entry.pupils.get(c.pupilId)!.answer(entry.settings, {
            purpose: c.purpose,
            mediaType: c.mediaType,
            named: c.named ?? false,
            at: c.at ?? now,
          }),
        ),
      };
    }
    const latest = checks.reduce((m, c) => Math.max(m, (c.at ?? now).getTime()), 0);
    const { facts, policyVersion } = await this.deps.repository.factsAndPolicyVersion(
      db,
      schoolId,
      ids,
      new Date(latest),
    );
    if (ids.some((id) => !facts.has(id))) throw new NotFoundError('No such pupil');
    const settings = await this.settingsAt(schoolId, policyVersion);
    return {
      registerVersion,
      answers: checks.map((c) =>
        decide(settings, facts.get(c.pupilId)!, {
          purpose: c.purpose,
          mediaType: c.mediaType,
          named: c.named ?? false,
          at: c.at ?? now,
        }),
      ),
    };
  }

  /** The check straight from the database, for any moment (one round trip). */
  private async mayManyDirect(
    schoolId: string,
    checks: readonly Omit<MayInput, 'schoolId'>[],
    now: Date,
  ): Promise<ConsentAnswer[]> {
    const latest = checks.reduce((m, c) => Math.max(m, (c.at ?? now).getTime()), 0);
    const ids = [...new Set(checks.map((c) => c.pupilId))];
    // The hot path: one round trip for the facts and the current policy version.
    const { facts, policyVersion } = await this.deps.repository.factsAndPolicyVersion(
      this.deps.database.db,
      schoolId,
      ids,
      new Date(latest),
    );
    if (ids.some((id) => !facts.has(id))) throw new NotFoundError('No such pupil');
    const settings = await this.settingsAt(schoolId, policyVersion);
    return checks.map((c) => {
      const f = facts.get(c.pupilId)!;
      return decide(settings, f, {
        purpose: c.purpose,
        mediaType: c.mediaType,
        named: c.named ?? false,
        at: c.at ?? now,
      });
    });
  }

  /**
   * The check from the register cache (ADR 0009). Either every pupil is held and the school's
   * register version is unchanged (one tiny statement), or the missing pupils' facts are read
   * together with the version; facts of different versions are never mixed.
   */
  private async mayManyCached(
    cache: ConsentRegisterCache,
    schoolId: string,
    checks: readonly Omit<MayInput, 'schoolId'>[],
    now: Date,
  ): Promise<ConsentAnswer[]> {
    const { repository, database } = this.deps;
    const db = database.db;
    const today = ukDate(now);
    const ids = [...new Set(checks.map((c) => c.pupilId))];
    let entry = cache.get(schoolId);
    let missing = entry ? ids.filter((id) => !entry!.pupils.get(id)?.covers(today)) : ids;
    if (entry && missing.length === 0) {
      if ((await this.versions.version(schoolId)) === entry.version) {
        cache.stats.hits++;
      } else {
        cache.stale(schoolId);
        entry = undefined;
        missing = ids;
      }
    }
    if (missing.length > 0) cache.stats.misses++;
    // Read what is missing; if the version moved meanwhile, read everything asked about again.
    for (let attempt = 0; missing.length > 0; attempt++) {
      const loaded = await repository.factsForCache(db, schoolId, missing, checkWindowStart(today));
      if (loaded.facts.size < missing.length) throw new NotFoundError('No such pupil');
      const settings = await this.settingsAt(schoolId, loaded.policyVersion);
      const version = loaded.registerVersion!;
      const consistent = !entry || entry.version === version;
      entry = cache.put(
        schoolId,
        version,
        loaded.policyVersion,
        settings,
        loaded.facts.values(),
        today,
      );
      missing = consistent ? [] : ids.filter((id) => !loaded.facts.has(id));
      if (attempt >= 3 && missing.length > 0) {
        // The school's register is changing faster than it can be read: do not cache.
        cache.drop(schoolId);
        return this.mayManyDirect(schoolId, checks, now);
      }
    }
    const held = entry!;
    return checks.map((c) =>
      held.pupils.get(c.pupilId)!.answer(held.settings, {
        purpose: c.purpose,
        mediaType: c.mediaType,
        named: c.named ?? false,
        at: c.at ?? now,
      }),
    );
  }

  /** The current answer for every purpose × kind, per pupil (the class matrix, a pupil's page). */
  async positions(
    schoolId: string,
    pupilIds: readonly string[],
    at?: Date,
  ): Promise<Map<string, Map<string, ConsentAnswer>>> {
    const when = at ?? this.deps.clock.now();
    const settings = await this.settings(schoolId);
    const facts = await this.deps.repository.factsFor(
      this.deps.database.db,
      schoolId,
      pupilIds,
      when,
    );
    const out = new Map<string, Map<string, ConsentAnswer>>();
    for (const [id, f] of facts) out.set(id, currentPosition(settings, f, when));
    return out;
  }
}
