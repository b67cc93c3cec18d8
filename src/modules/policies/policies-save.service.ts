/**
 * Saving the profile: each save is one new, audited version, refused when someone else saved in
 * between (`expectedVersion`). The settings page's answers (`updateSettings`), the settings
 * editor and the JSON API (`saveSettings`, through policy-save.ts's `applyChanges`), and a new
 * version with the same settings inside the lifecycle module's transaction (`publishVersionIn`).
 */
import type { Tx } from '../../platform/db/database.ts';
import { ukDate } from '../../platform/clock.ts';
import { ValidationError, type FieldErrors } from '../../errors.ts';
import type { Actor } from '../audit/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import {
  formatCitation,
  policySettingsSchema,
  ruleList,
  schoolDecisionCitation,
  setRule,
  type PolicySettings,
  type RulePath,
} from './policy-settings.ts';
import { valueInWords } from './policy-display.ts';
import { getTemplate } from './templates/index.ts';
import { editableRule } from './policy-editing.ts';
import { applyChanges, type SettingsChanges } from './policy-save.ts';
import { PolicyPart } from './policies-shared.ts';

/** Why a next review date given on a save cannot be used, or null when it can. */
function nextReviewDateError(d: string, today: string): string | null {
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(d) ||
    Number.isNaN(Date.parse(d)) ||
    // 31 February parses (it rolls over to March): only a date that round-trips is real.
    new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d
  )
    return 'Enter a real date for the next review';
  if (d <= today) return 'The next review date must be in the future';
  return null;
}

export class PolicySaves extends PolicyPart {
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
    const { database, audit, clock } = this.deps;
    return database.transaction(async (tx) => {
      const profile = await this.lockProfileAt(tx, schoolId, input.expectedVersion);
      const settings = await this.settingsIn(tx, schoolId, profile);
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
              `Changed on ${formatDateInWords(today)}; previously “${valueInWords(rule.path, rule.value, settings)}” (${formatCitation(rule.citation)})`,
            ),
          } as never,
        );
        changed.push(rule.path);
      }
      let nextReviewDate = profile.nextReviewDate;
      if (input.nextReviewDate !== undefined && input.nextReviewDate !== profile.nextReviewDate) {
        const error = nextReviewDateError(input.nextReviewDate, today);
        if (error) {
          errors.nextReviewDate = error;
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
      const { created, version } = await this.writeNextVersion(tx, schoolId, profile, actor, {
        settings: parsed.data,
        note: input.note,
        nextReviewDate,
      });
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
    const { database, audit, clock } = this.deps;
    return database.transaction(async (tx) => {
      const profile = await this.lockProfileAt(tx, schoolId, input.expectedVersion);
      const settings = await this.settingsIn(tx, schoolId, profile);
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
        const error = nextReviewDateError(d, today);
        if (error) {
          errors.nextReviewDate = error;
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
      const { created, version } = await this.writeNextVersion(tx, schoolId, profile, actor, {
        settings: result.next,
        note: input.note,
        nextReviewDate,
      });
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
    const profile = await this.lockProfileAt(tx, schoolId, input.expectedVersion);
    const current = await repository.version(tx.db, schoolId, profile.currentVersion);
    const { created, version } = await this.writeNextVersion(tx, schoolId, profile, actor, {
      settings: current!.settings,
      note: input.note,
      nextReviewDate: profile.nextReviewDate,
    });
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
}
