import type { Database } from '../../platform/db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.ts';
import type { Actor, AuditService } from '../audit/index.ts';
import type { EventsService } from '../events/index.ts';
import type { PolicyRepository } from './policies.repository.ts';
import { describeChanges } from './policy-diff.ts';
import {
  policySettingsSchema,
  rulePaths,
  getRule,
  type PolicySettings,
} from './policy-settings.ts';
import { getTemplate, startingPoints, type PolicyTemplate } from './templates/index.ts';

/** What switching to a starting point would change, in words, before the Headteacher confirms. */
export interface SwitchPreview {
  from: { key: string; version: number };
  to: PolicyTemplate;
  /** One sentence per change, e.g. "Who approves posts: Headteacher → Business Manager". */
  changes: string[];
  /** Rules whose citation changes although the value stays (the clause is the new template's). */
  citationsOnly: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Switching a school's policy to another starting point (issue 15 item 3): Lanyard's defaults or
 * any of the five templates, as a new audited version of the profile, after a preview of what
 * changes in words. The school's own edits are replaced by the template's rules; earlier
 * versions stay readable in the history.
 */
export class PolicySwitchService {
  constructor(
    private readonly deps: {
      database: Database;
      repository: PolicyRepository;
      audit: AuditService;
      events: EventsService;
    },
  ) {}

  startingPoints(): readonly PolicyTemplate[] {
    return startingPoints;
  }

  private target(templateKey: string): PolicyTemplate {
    const t = getTemplate(templateKey);
    if (!t) throw new ValidationError({ templateKey: 'Choose one of the starting points' });
    return t;
  }

  /** The changes switching to `templateKey` would make to the current version. */
  async preview(schoolId: string, templateKey: string): Promise<SwitchPreview> {
    const to = this.target(templateKey);
    const db = this.deps.database.db;
    const profile = await this.deps.repository.getProfile(db, schoolId);
    if (!profile) throw new NotFoundError();
    const row = await this.deps.repository.version(db, schoolId, profile.currentVersion);
    const current = policySettingsSchema.parse(row!.settings);
    return this.compare(profile.templateKey, profile.currentVersion, current, to);
  }

  private compare(
    fromKey: string,
    version: number,
    current: PolicySettings,
    to: PolicyTemplate,
  ): SwitchPreview {
    const next = policySettingsSchema.parse(to.settings);
    let citationsOnly = 0;
    for (const path of rulePaths) {
      const a = getRule(current, path) as { value: unknown; citation: unknown };
      const b = getRule(next, path) as { value: unknown; citation: unknown };
      if (same(a.value, b.value) && !same(a.citation, b.citation)) citationsOnly++;
    }
    return {
      from: { key: fromKey, version },
      to,
      changes: describeChanges(current, next),
      citationsOnly,
    };
  }

  /**
   * Switch: the template's rules become a new version (with the review date kept), the profile
   * follows the new starting point, audited, and `policy.version-published` is emitted (training
   * marks affected staff due again). `expectedVersion` is the version the preview was made from.
   */
  async switchTo(
    schoolId: string,
    actor: Actor,
    input: { templateKey: string; expectedVersion: number; note: string },
  ): Promise<{ version: number; changes: string[] }> {
    const to = this.target(input.templateKey);
    const note = input.note.trim();
    if (!note)
      throw new ValidationError({
        note: 'Say why the school is switching (this goes in the version history)',
      });
    const { database, repository, audit, events } = this.deps;
    return database.transaction(async (tx) => {
      const profile = await repository.getProfileForUpdate(tx.db, schoolId);
      if (!profile) throw new NotFoundError();
      if (profile.currentVersion !== input.expectedVersion) {
        throw new ConflictError(
          'Someone changed the policy after you looked at what would change. Nothing was switched; look at the changes again.',
        );
      }
      const row = await repository.version(tx.db, schoolId, profile.currentVersion);
      const current = policySettingsSchema.parse(row!.settings);
      const preview = this.compare(profile.templateKey, profile.currentVersion, current, to);
      if (
        preview.changes.length === 0 &&
        preview.citationsOnly === 0 &&
        profile.templateKey === to.key
      ) {
        throw new ValidationError({
          templateKey: 'The policy already follows this starting point',
        });
      }
      const settings = policySettingsSchema.parse(to.settings);
      const version = profile.currentVersion + 1;
      const created = await repository.createVersion(tx.db, {
        schoolId,
        profileId: profile.id,
        version,
        settings,
        changeNote: `Switched to ${to.name}: ${note}`,
        createdBy: actor.kind === 'staff' ? actor.id : null,
      });
      await repository.setCurrent(tx.db, profile.id, version, profile.nextReviewDate);
      await repository.setTemplateKey(tx.db, profile.id, to.key);
      const changed = rulePaths.filter((p) => !same(getRule(current, p), getRule(settings, p)));
      await audit.record(tx, {
        schoolId,
        actor,
        action: 'policy.template-switched',
        entityType: 'policy_profile',
        entityId: profile.id,
        data: { version, from: profile.templateKey, to: to.key, changed: changed.length },
      });
      await events.emit(tx, schoolId, 'policy.version-published', {
        versionId: created.id,
        version,
        changed,
      });
      return { version, changes: preview.changes };
    });
  }
}
