/**
 * The profile's versions as every module reads them: the current rules (one school, several
 * schools, or locked inside the caller's transaction), the version history, the rules listed for
 * the page, and adopting a template (version 1). Parsed settings are kept per version here.
 */
import type { Tx } from '../../platform/db/database.ts';
import { ukDate } from '../../platform/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import type { ProfileRow, ProfileVersionRow } from './policies.repository.ts';
import {
  formatCitation,
  policySettingsSchema,
  ruleList,
  type PolicySettings,
} from './policy-settings.ts';
import { getTemplate, policyTemplates } from './templates/index.ts';
import { editableRule, type EditableRule } from './policy-editing.ts';
import { describeChanges } from './policy-diff.ts';
import { addMonths, PolicyPart, type CurrentPolicy } from './policies-shared.ts';

export class PolicyVersions extends PolicyPart {
  /**
   * Parsed settings by profile id and version. Versions are never changed once written, so this
   * cache never goes stale; only the small profile row (which version is current) is read each time.
   */
  private readonly parsedVersions = new Map<string, PolicySettings>();

  templates() {
    return policyTemplates;
  }

  private async settingsOf(
    profileId: string,
    schoolId: string,
    version: number,
    db: Tx['db'] = this.deps.database.db,
  ): Promise<PolicySettings> {
    const key = `${profileId}:${version}`;
    const cached = this.parsedVersions.get(key);
    if (cached) return cached;
    const row = await this.deps.repository.version(db, schoolId, version);
    if (!row) throw new NotFoundError('The current policy version is missing');
    const settings = policySettingsSchema.parse(row.settings);
    if (this.parsedVersions.size > 5_000) this.parsedVersions.clear();
    this.parsedVersions.set(key, settings);
    return settings;
  }

  /** The current rules, or null for a school that has not chosen a template yet. */
  async currentOrNull(schoolId: string): Promise<CurrentPolicy | null> {
    const profile = await this.deps.repository.getProfile(this.deps.database.db, schoolId);
    if (!profile) return null;
    return {
      profile,
      version: profile.currentVersion,
      settings: await this.settingsOf(profile.id, schoolId, profile.currentVersion),
      templateKey: profile.templateKey,
      nextReviewDate: profile.nextReviewDate,
    };
  }

  /**
   * `currentOrNull` for several schools at once (a trust's compliance figures): one statement
   * for the profiles, and one more only for versions this process has not parsed yet. Schools
   * without a profile are not in the map.
   */
  async currentForSchools(schoolIds: readonly string[]): Promise<Map<string, CurrentPolicy>> {
    const { repository, database } = this.deps;
    const profiles = await repository.getProfiles(database.db, schoolIds);
    const key = (p: ProfileRow) => `${p.id}:${p.currentVersion}`;
    const missing = profiles.filter((p) => !this.parsedVersions.has(key(p)));
    if (missing.length > 0) {
      const rows = await repository.versionsOf(
        database.db,
        missing.map((p) => ({ schoolId: p.schoolId, version: p.currentVersion })),
      );
      const bySchool = new Map(rows.map((r) => [`${r.schoolId}:${r.version}`, r]));
      for (const p of missing) {
        const row = bySchool.get(`${p.schoolId}:${p.currentVersion}`);
        if (!row) throw new NotFoundError('The current policy version is missing');
        if (this.parsedVersions.size > 5_000) this.parsedVersions.clear();
        this.parsedVersions.set(key(p), policySettingsSchema.parse(row.settings));
      }
    }
    const out = new Map<string, CurrentPolicy>();
    for (const profile of profiles) {
      // Parsed just above if it was not already (a clear in between reads it again).
      const settings =
        this.parsedVersions.get(key(profile)) ??
        (await this.settingsOf(profile.id, profile.schoolId, profile.currentVersion));
      out.set(profile.schoolId, {
        profile,
        version: profile.currentVersion,
        settings,
        templateKey: profile.templateKey,
        nextReviewDate: profile.nextReviewDate,
      });
    }
    return out;
  }

  async current(schoolId: string): Promise<CurrentPolicy> {
    const found = await this.currentOrNull(schoolId);
    if (!found) throw new NotFoundError('This school has no policy profile yet');
    return found;
  }

  /**
   * The current version's id and number inside the caller's transaction, with the profile row
   * held FOR SHARE until it ends: a version published at the same moment waits for it (or, if it
   * committed first, is the one read). Acknowledgements record the version this returns, and
   * the personal conduct statements of its settings (`people.conductStatements`).
   */
  async currentVersionLocked(
    tx: Tx,
    schoolId: string,
  ): Promise<{ versionId: string; version: number; settings: PolicySettings }> {
    const { repository } = this.deps;
    const profile = await repository.getProfileForShare(tx.db, schoolId);
    if (!profile) throw new NotFoundError('This school has no policy profile yet');
    const row = await repository.version(tx.db, schoolId, profile.currentVersion);
    if (!row) throw new NotFoundError('The current policy version is missing');
    const settings = await this.settingsOf(profile.id, schoolId, row.version, tx.db);
    return { versionId: row.id, version: row.version, settings };
  }

  /**
   * The rules of one version, read inside the caller's transaction: a listener of
   * `policy.version-published` sees the version being published (not yet committed, so not
   * visible to `current`).
   */
  async versionSettings(tx: Tx, schoolId: string, version: number): Promise<PolicySettings> {
    const profile = await this.deps.repository.getProfile(tx.db, schoolId);
    if (!profile) throw new NotFoundError('This school has no policy profile yet');
    return this.settingsOf(profile.id, schoolId, version, tx.db);
  }

  async hasProfile(schoolId: string): Promise<boolean> {
    return (await this.deps.repository.getProfile(this.deps.database.db, schoolId)) !== undefined;
  }

  /** Set-up: a school starts from one of the built-in templates (version 1). */
  async adoptTemplate(tx: Tx, schoolId: string, templateKey: string, actor: Actor): Promise<void> {
    const template = getTemplate(templateKey);
    if (!template) throw new ValidationError({ templateKey: 'Choose one of the policy templates' });
    const repo = this.deps.repository;
    if (await repo.getProfileForUpdate(tx.db, schoolId))
      throw new ConflictError('This school already has a policy profile');
    const settings = policySettingsSchema.parse(template.settings);
    const nextReviewDate = addMonths(
      ukDate(this.deps.clock.now()),
      settings.review.cycleMonths.value,
    );
    const profile = await repo.createProfile(tx.db, {
      schoolId,
      templateKey,
      currentVersion: 1,
      nextReviewDate,
    });
    await repo.createVersion(tx.db, {
      schoolId,
      profileId: profile.id,
      version: 1,
      settings,
      changeNote: `Adopted the ${template.name} template`,
      createdBy: actor.kind === 'staff' ? actor.id : null,
    });
    await this.deps.audit.record(tx, {
      schoolId,
      actor,
      action: 'policy.profile-adopted',
      entityType: 'policy_profile',
      entityId: profile.id,
      data: { templateKey, version: 1, nextReviewDate },
    });
  }

  async adopt(schoolId: string, templateKey: string, actor: Actor): Promise<void> {
    await this.deps.database.transaction((tx) =>
      this.adoptTemplate(tx, schoolId, templateKey, actor),
    );
  }

  async versions(schoolId: string): Promise<ProfileVersionRow[]> {
    return this.deps.repository.versions(this.deps.database.db, schoolId);
  }

  async version(
    schoolId: string,
    version: number,
  ): Promise<{ row: ProfileVersionRow; settings: PolicySettings }> {
    const row = await this.deps.repository.version(this.deps.database.db, schoolId, version);
    if (!row) throw new NotFoundError();
    return { row, settings: policySettingsSchema.parse(row.settings) };
  }

  /** Each version with what changed from the one before, in words (the versions page). */
  async versionsWithChanges(
    schoolId: string,
  ): Promise<(ProfileVersionRow & { changes: string[] })[]> {
    const rows = await this.versions(schoolId);
    const parsed = new Map(rows.map((r) => [r.version, policySettingsSchema.parse(r.settings)]));
    return rows.map((r) => {
      const before = parsed.get(r.version - 1);
      const after = parsed.get(r.version)!;
      return { ...r, changes: before ? describeChanges(before, after) : [] };
    });
  }

  /** Every rule with its value, label, citation and (where the page can edit it) its input kind. */
  rules(
    settings: PolicySettings,
  ): (ReturnType<typeof ruleList>[number] & { editable: EditableRule | null; source: string })[] {
    return ruleList(settings).map((r) => ({
      ...r,
      editable: editableRule(r.path, r.value),
      source: formatCitation(r.citation),
    }));
  }
}
