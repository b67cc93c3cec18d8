import type { Database, Tx } from '../../platform/db/database.ts';
import { ukDate, type Clock } from '../../platform/clock.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { PeopleDirectory } from '../people/index.ts';
import type { EventsService } from '../events/index.ts';
import type { PolicyRepository, ProfileRow, ProfileVersionRow } from './policies.repository.ts';
import { formatDateInWords } from '../../web/dates.ts';
import {
  formatCitation,
  formatRuleValue,
  policySettingsSchema,
  ruleList,
  schoolDecisionCitation,
  setRule,
  type PolicySettings,
  type RulePath,
} from './policy-settings.ts';
import { getTemplate, policyTemplates } from './templates/index.ts';
import { editableRule, type EditableRule } from './policy-editing.ts';
import { applyChanges, type SettingsChanges } from './policy-save.ts';
import { describeChanges } from './policy-diff.ts';

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

/**
 * The school's policy profile (SPEC §2): templates, versions, edits, review reminders. Every
 * module reads the rules through `current(schoolId)`.
 */
export class PolicyService {
  constructor(
    private readonly deps: {
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
    },
  ) {}

  templates() {
    return policyTemplates;
  }

  /** The one call every module uses to read a school's rules. */
  /**
   * Parsed settings by profile id and version. Versions are never changed once written, so this
   * cache never goes stale; only the small profile row (which version is current) is read each time.
   */
  private readonly parsedVersions = new Map<string, PolicySettings>();

  private async settingsOf(
    profileId: string,
    schoolId: string,
    version: number,
  ): Promise<PolicySettings> {
    const key = `${profileId}:${version}`;
    const cached = this.parsedVersions.get(key);
    if (cached) return cached;
    const row = await this.deps.repository.version(this.deps.database.db, schoolId, version);
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
   * committed first, is the one read). Acknowledgements record the version this returns.
   */
  async currentVersionLocked(
    tx: Tx,
    schoolId: string,
  ): Promise<{ versionId: string; version: number }> {
    const { repository } = this.deps;
    const profile = await repository.getProfileForShare(tx.db, schoolId);
    if (!profile) throw new NotFoundError('This school has no policy profile yet');
    const row = await repository.version(tx.db, schoolId, profile.currentVersion);
    if (!row) throw new NotFoundError('The current policy version is missing');
    return { versionId: row.id, version: row.version };
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

  /**
   * The Headteacher changes settings: one new, audited version. `answers` maps rule paths to the
   * submitted text; only changed values are applied. `expectedVersion` stops a lost update.
   */
  async updateSettings(
    schoolId: string,
    actor: Actor,
    input: {
      answers: Record<string, string>;
      note: string;
      expectedVersion: number;
      nextReviewDate?: string | undefined;
    },
  ): Promise<{ version: number; changed: string[] }> {
    const { database, repository, audit, clock } = this.deps;
    return database.transaction(async (tx) => {
      const profile = await repository.getProfileForUpdate(tx.db, schoolId);
      if (!profile) throw new NotFoundError();
      if (profile.currentVersion !== input.expectedVersion) {
        throw new ConflictError(
          'Someone else changed the policy while you were editing. Your changes were not saved; review the new version and try again.',
        );
      }
      const current = await repository.version(tx.db, schoolId, profile.currentVersion);
      const settings = policySettingsSchema.parse(current!.settings);
      const next = structuredClone(settings);
      const errors: FieldErrors = {};
      const changed: string[] = [];
      const today = ukDate(clock.now());
      for (const rule of ruleList(settings)) {
        const answer = input.answers[rule.path];
        if (answer === undefined) continue;
        const editable = editableRule(rule.path, rule.value);
        if (!editable) continue;
        const parsed = editable.parse(answer);
        if (!parsed.ok) {
          errors[rule.path] = parsed.message;
          continue;
        }
        if (JSON.stringify(parsed.value) === JSON.stringify(rule.value)) continue;
        setRule(
          next,
          rule.path as RulePath,
          {
            value: parsed.value,
            citation: schoolDecisionCitation(
              `Changed on ${formatDateInWords(today)}; previously “${formatRuleValue(rule.value)}” (${formatCitation(rule.citation)})`,
            ),
          } as never,
        );
        changed.push(rule.path);
      }
      let nextReviewDate = profile.nextReviewDate;
      if (input.nextReviewDate !== undefined && input.nextReviewDate !== profile.nextReviewDate) {
        if (
          !/^\d{4}-\d{2}-\d{2}$/.test(input.nextReviewDate) ||
          Number.isNaN(Date.parse(input.nextReviewDate)) ||
          // 31 February parses (it rolls over to March): only a date that round-trips is real.
          new Date(`${input.nextReviewDate}T00:00:00Z`).toISOString().slice(0, 10) !==
            input.nextReviewDate
        ) {
          errors.nextReviewDate = 'Enter a real date for the next review';
        } else if (input.nextReviewDate <= today) {
          errors.nextReviewDate = 'The next review date must be in the future';
        } else {
          nextReviewDate = input.nextReviewDate;
          changed.push('review.nextReviewDate');
        }
      }
      if (!input.note.trim())
        errors.note = 'Say why the policy is changing (this goes in the version history)';
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
      if (changed.length === 0) throw new ValidationError({ note: 'Nothing was changed' });
      const parsed = policySettingsSchema.safeParse(next);
      if (!parsed.success)
        throw new ValidationError({
          note: `The settings are not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`,
        });
      const version = profile.currentVersion + 1;
      const created = await repository.createVersion(tx.db, {
        schoolId,
        profileId: profile.id,
        version,
        settings: parsed.data,
        changeNote: input.note.trim(),
        createdBy: actor.kind === 'staff' ? actor.id : null,
      });
      await repository.setCurrent(tx.db, profile.id, version, nextReviewDate);
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'policy.profile-updated',
        entityType: 'policy_profile',
        entityId: profile.id,
        data: { version, changed, nextReviewDate },
      });
      // In the same transaction (the outbox): training marks affected staff due again.
      await this.deps.events.emit(tx, schoolId, 'policy.version-published', {
        versionId: created.id,
        version,
        changed,
      });
      return { version, changed };
    });
  }

  /**
   * The settings editor and the JSON API save the profile (issue 15 item 1): any rule, lists and
   * structured values included, checked by the settings schema; one new, audited version whose
   * changes are recorded in words. `expectedVersion` stops a lost update.
   */
  async saveSettings(
    schoolId: string,
    actor: Actor,
    input: SettingsChanges & {
      note: string;
      expectedVersion: number;
      nextReviewDate?: string | undefined;
      /** Answers the form could not read (e.g. "lots" for a number), reported with the rest. */
      formErrors?: FieldErrors;
      /**
       * Whether the change alters what staff, governors or parents must do: a substantive
       * version asks everyone to acknowledge it again (and training to refresh); a minor one
       * asks nobody. Left out: substantive.
       */
      substantive?: boolean;
    },
  ): Promise<{ version: number; changed: string[]; described: string[]; substantive: boolean }> {
    const substantive = input.substantive ?? true;
    const markVersion = this.deps.markVersion;
    // A minor version must be recorded as such, or it would count as substantive.
    if (!substantive && !markVersion)
      throw new Error('A minor version needs the acknowledgements module to record it');
    const { database, repository, audit, clock } = this.deps;
    return database.transaction(async (tx) => {
      const profile = await repository.getProfileForUpdate(tx.db, schoolId);
      if (!profile) throw new NotFoundError();
      if (profile.currentVersion !== input.expectedVersion) {
        throw new ConflictError(
          'Someone else changed the policy while you were editing. Your changes were not saved; review the new version and try again.',
        );
      }
      const current = await repository.version(tx.db, schoolId, profile.currentVersion);
      const settings = policySettingsSchema.parse(current!.settings);
      const today = ukDate(clock.now());
      let errors: FieldErrors = {};
      let result: ReturnType<typeof applyChanges> | null = null;
      try {
        result = applyChanges(
          settings,
          input,
          today,
          getTemplate(profile.templateKey)?.settings as PolicySettings | undefined,
        );
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors = { ...error.fieldErrors };
      }
      let nextReviewDate = profile.nextReviewDate;
      const described = [...(result?.described ?? [])];
      if (input.nextReviewDate !== undefined && input.nextReviewDate !== profile.nextReviewDate) {
        const d = input.nextReviewDate;
        if (
          !/^\d{4}-\d{2}-\d{2}$/.test(d) ||
          Number.isNaN(Date.parse(d)) ||
          new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d
        ) {
          errors.nextReviewDate = 'Enter a real date for the next review';
        } else if (d <= today) {
          errors.nextReviewDate = 'The next review date must be in the future';
        } else {
          nextReviewDate = d;
          described.push(`Next review date: changed to ${formatDateInWords(d)}`);
        }
      }
      if (!input.note.trim())
        errors.note = 'Say why the policy is changing (this goes in the version history)';
      Object.assign(errors, input.formErrors ?? {});
      if (Object.keys(errors).length > 0) throw new ValidationError(errors);
      if (!result || described.length === 0)
        throw new ValidationError({ note: 'Nothing was changed' });
      const changed = [
        ...result.changed,
        ...(nextReviewDate !== profile.nextReviewDate ? ['review.nextReviewDate'] : []),
      ];
      const version = profile.currentVersion + 1;
      const created = await repository.createVersion(tx.db, {
        schoolId,
        profileId: profile.id,
        version,
        settings: result.next,
        changeNote: input.note.trim(),
        createdBy: actor.kind === 'staff' ? actor.id : null,
      });
      await repository.setCurrent(tx.db, profile.id, version, nextReviewDate);
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'policy.profile-updated',
        entityType: 'policy_profile',
        entityId: profile.id,
        data: {
          version,
          changed,
          changes: described.slice(0, 200),
          nextReviewDate,
          substantive,
        },
      });
      // Marked before it is announced: the announcement supersedes only after a substantive one.
      await markVersion?.(tx, { schoolId, versionId: created.id, version, substantive }, actor);
      // A substantive change is announced (the outbox): acknowledgements and training ask again.
      if (substantive)
        await this.deps.events.emit(tx, schoolId, 'policy.version-published', {
          versionId: created.id,
          version,
          changed,
        });
      return { version, changed, described, substantive };
    });
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

  /**
   * A new version with the same settings inside the caller's transaction (issue 16: the school's
   * text changed; the lifecycle module writes the text in the same transaction). Audited;
   * `announce` emits policy.version-published (a substantive change: training and
   * acknowledgements ask again). `expectedVersion` stops a lost update.
   */
  async publishVersionIn(
    tx: Tx,
    schoolId: string,
    actor: Actor,
    input: { note: string; expectedVersion: number; announce: boolean; changed: string[] },
  ): Promise<{ versionId: string; version: number }> {
    const { repository, audit } = this.deps;
    const profile = await repository.getProfileForUpdate(tx.db, schoolId);
    if (!profile) throw new NotFoundError();
    if (profile.currentVersion !== input.expectedVersion)
      throw new ConflictError(
        'Someone else changed the policy while you were editing. Your changes were not saved; review the new version and try again.',
      );
    const current = await repository.version(tx.db, schoolId, profile.currentVersion);
    const version = profile.currentVersion + 1;
    const created = await repository.createVersion(tx.db, {
      schoolId,
      profileId: profile.id,
      version,
      settings: current!.settings,
      changeNote: input.note.trim(),
      createdBy: actor.kind === 'staff' ? actor.id : null,
    });
    await repository.setCurrent(tx.db, profile.id, version, profile.nextReviewDate);
    await audit.record(tx, {
      schoolId,
      actor,
      action: 'policy.profile-updated',
      entityType: 'policy_profile',
      entityId: profile.id,
      data: { version, changed: input.changed, nextReviewDate: profile.nextReviewDate },
    });
    if (input.announce)
      await this.deps.events.emit(tx, schoolId, 'policy.version-published', {
        versionId: created.id,
        version,
        changed: input.changed,
      });
    return { versionId: created.id, version };
  }

  /** A review approved (issue 16 item 3): the next review date, in the caller's transaction. */
  async setNextReviewDateIn(tx: Tx, schoolId: string, nextReviewDate: string): Promise<void> {
    const profile = await this.deps.repository.getProfileForUpdate(tx.db, schoolId);
    if (!profile) throw new NotFoundError();
    await this.deps.repository.setCurrent(
      tx.db,
      profile.id,
      profile.currentVersion,
      nextReviewDate,
    );
  }

  /** The annual review is done: record it and set the next date from the review cycle. */
  async markReviewed(schoolId: string, actor: Actor, note: string): Promise<string> {
    const { database, repository, audit, clock } = this.deps;
    if (!note.trim())
      throw new ValidationError({
        reviewNote: 'Summarise the review (who took part, what changed)',
      });
    return database.transaction(async (tx) => {
      const profile = await repository.getProfileForUpdate(tx.db, schoolId);
      if (!profile) throw new NotFoundError();
      const current = await repository.version(tx.db, schoolId, profile.currentVersion);
      const settings = policySettingsSchema.parse(current!.settings);
      const nextReviewDate = addMonths(ukDate(clock.now()), settings.review.cycleMonths.value);
      await repository.setCurrent(tx.db, profile.id, profile.currentVersion, nextReviewDate);
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'policy.reviewed',
        entityType: 'policy_profile',
        entityId: profile.id,
        data: {
          version: profile.currentVersion,
          nextReviewDate,
          previousReviewDate: profile.nextReviewDate,
        },
      });
      return nextReviewDate;
    });
  }

  /**
   * The policy-review reminder job: emails each school's Headteacher(s) once when the review date
   * is within the profile's reminder window, and once more when it has passed.
   */
  async sendReviewReminders(onlySchoolId?: string): Promise<{ sent: number }> {
    const { database, repository, people, mailer, clock, baseUrl } = this.deps;
    const today = ukDate(clock.now());
    const horizon = addDays(today, 366);
    let sent = 0;
    for (const profile of await repository.profilesDueForReview(
      database.db,
      horizon,
      onlySchoolId,
    )) {
      const { settings } = await this.current(profile.schoolId);
      const windowStart = addDays(
        profile.nextReviewDate,
        -settings.review.reminderDaysBefore.value,
      );
      if (today < windowStart) continue;
      const stage = today > profile.nextReviewDate ? 'overdue' : 'due-soon';
      const heads = await people.staffWithRole(database.db, profile.schoolId, 'headteacher');
      if (heads.length === 0) continue;
      const sentNow = await database.transaction(async (tx) => {
        if (
          !(await repository.recordReminder(tx.db, profile.schoolId, profile.nextReviewDate, stage))
        )
          return false;
        await this.deps.audit.record(tx, {
          schoolId: profile.schoolId,
          actor: { kind: 'system', id: null },
          action: 'policy.review-reminder-sent',
          entityType: 'policy_profile',
          entityId: profile.id,
          data: { stage, reviewDate: profile.nextReviewDate, recipients: heads.length },
        });
        return true;
      });
      if (!sentNow) continue;
      const school = await people.getSchool(database.db, profile.schoolId);
      for (const head of heads) {
        await mailer.send({
          to: head.email,
          subject:
            stage === 'overdue'
              ? `The social media policy review for ${school?.name ?? 'your school'} is overdue`
              : `The social media policy review for ${school?.name ?? 'your school'} is due on ${formatDateInWords(profile.nextReviewDate)}`,
          text: [
            `Dear ${head.givenName},`,
            '',
            stage === 'overdue'
              ? `The annual review of the social media policy was due on ${formatDateInWords(profile.nextReviewDate)} and has not been recorded.`
              : `The annual review of the social media policy is due on ${formatDateInWords(profile.nextReviewDate)}.`,
            `Reviewers named in the policy: ${settings.review.reviewers.value.join(', ')}.`,
            '',
            `Open the policy in Lanyard to review it: ${baseUrl}/policy`,
          ].join('\n'),
        });
        sent++;
      }
    }
    return { sent };
  }
}
