import type { PolicyDeps } from './policies-shared.ts';
import { PolicyVersions } from './policies-versions.service.ts';
import { PolicySaves } from './policies-save.service.ts';
import { PolicyReviews } from './policies-review.service.ts';

export { addDays, addMonths, type CurrentPolicy, type PolicyDeps } from './policies-shared.ts';

/**
 * The school's policy profile (SPEC §2): templates, versions, edits, review reminders. Every
 * module reads the rules through `current(schoolId)`.
 *
 * This class is the module's one public surface (`Services.policies`); the work is done by its
 * parts, one per concern (policies-versions, policies-save and policies-review .service.ts),
 * which share one deps object and the transaction helpers in policies-shared.ts. Each method
 * here hands its call to the part that owns it.
 */
export class PolicyService {
  private readonly versionsPart: PolicyVersions;
  private readonly saves: PolicySaves;
  private readonly reviews: PolicyReviews;

  constructor(deps: PolicyDeps) {
    this.versionsPart = new PolicyVersions(deps);
    this.saves = new PolicySaves(deps);
    this.reviews = new PolicyReviews(deps, this.versionsPart);
  }

  // The profile's versions (policies-versions.service.ts)

  templates() {
    return this.versionsPart.templates();
  }
  /** The current rules, or null for a school that has not chosen a template yet. */
  currentOrNull(...a: Parameters<PolicyVersions['currentOrNull']>) {
    return this.versionsPart.currentOrNull(...a);
  }
  /** `currentOrNull` for several schools at once; schools without a profile are not in the map. */
  currentForSchools(...a: Parameters<PolicyVersions['currentForSchools']>) {
    return this.versionsPart.currentForSchools(...a);
  }
  /** The one call every module uses to read a school's rules. */
  current(...a: Parameters<PolicyVersions['current']>) {
    return this.versionsPart.current(...a);
  }
  /** The current version's id and number, the profile row held FOR SHARE in the caller's `tx`. */
  currentVersionLocked(...a: Parameters<PolicyVersions['currentVersionLocked']>) {
    return this.versionsPart.currentVersionLocked(...a);
  }

  versionSettings(...a: Parameters<PolicyVersions['versionSettings']>) {
    return this.versionsPart.versionSettings(...a);
  }
  hasProfile(...a: Parameters<PolicyVersions['hasProfile']>) {
    return this.versionsPart.hasProfile(...a);
  }
  /** Set-up: a school starts from one of the built-in templates (version 1), in `tx`. */
  adoptTemplate(...a: Parameters<PolicyVersions['adoptTemplate']>) {
    return this.versionsPart.adoptTemplate(...a);
  }
  adopt(...a: Parameters<PolicyVersions['adopt']>) {
    return this.versionsPart.adopt(...a);
  }
  versions(...a: Parameters<PolicyVersions['versions']>) {
    return this.versionsPart.versions(...a);
  }
  version(...a: Parameters<PolicyVersions['version']>) {
    return this.versionsPart.version(...a);
  }
  /** Each version with what changed from the one before, in words (the versions page). */
  versionsWithChanges(...a: Parameters<PolicyVersions['versionsWithChanges']>) {
    return this.versionsPart.versionsWithChanges(...a);
  }
  /** Every rule with its value, label, citation and (where the page can edit it) its input kind. */
  rules(...a: Parameters<PolicyVersions['rules']>) {
    return this.versionsPart.rules(...a);
  }

  // Saving the settings: one new, audited version each (policies-save.service.ts)

  updateSettings(...a: Parameters<PolicySaves['updateSettings']>) {
    return this.saves.updateSettings(...a);
  }
  saveSettings(...a: Parameters<PolicySaves['saveSettings']>) {
    return this.saves.saveSettings(...a);
  }
  /** A new version with the same settings inside the caller's transaction (issue 16). */
  publishVersionIn(...a: Parameters<PolicySaves['publishVersionIn']>) {
    return this.saves.publishVersionIn(...a);
  }

  // The review dates and their reminders (policies-review.service.ts)

  setNextReviewDateIn(...a: Parameters<PolicyReviews['setNextReviewDateIn']>) {
    return this.reviews.setNextReviewDateIn(...a);
  }
  markReviewed(...a: Parameters<PolicyReviews['markReviewed']>) {
    return this.reviews.markReviewed(...a);
  }
  sendReviewReminders(...a: Parameters<PolicyReviews['sendReviewReminders']>) {
    return this.reviews.sendReviewReminders(...a);
  }
}
