import type { Database } from '../../platform/db/database.ts';
import type { PolicyService } from './policies.service.ts';
import type {
  ConductStatement,
  PolicyAudience,
  Responsibility,
  RoleTitles,
  RuleValue,
} from './policy-settings.ts';

/** A rule's value with the school's citation, for the modules that act on it. */
type Cited<T> = RuleValue<T>;

/**
 * The `people` section of the school's profile for other modules (issue 15): whom the policy
 * covers and who must acknowledge it (the acknowledgement and compliance work), the personal
 * conduct statements staff acknowledge (the acknowledgement record lists them), the school's
 * titles for the staff roles and its named responsibilities.
 */
export class PolicyScopeService {
  constructor(
    private readonly policies: Pick<PolicyService, 'currentOrNull'>,
    private readonly database: Pick<Database, 'cachedRead'>,
  ) {}

  private async people(schoolId: string) {
    return (await this.policies.currentOrNull(schoolId))?.settings.people ?? null;
  }

  /** Whom the policy applies to (`people.appliesTo`); empty before the school has a profile. */
  async appliesTo(schoolId: string): Promise<Cited<PolicyAudience[]> | null> {
    return (await this.people(schoolId))?.appliesTo ?? null;
  }

  /** Who must read and acknowledge it (`people.mustAcknowledge`). */
  async mustAcknowledge(schoolId: string): Promise<Cited<PolicyAudience[]> | null> {
    return (await this.people(schoolId))?.mustAcknowledge ?? null;
  }

  /** Whether a group must acknowledge the policy, e.g. `mustAcknowledgeGroup(id, 'volunteers')`. */
  async mustAcknowledgeGroup(schoolId: string, group: PolicyAudience): Promise<boolean> {
    return (await this.mustAcknowledge(schoolId))?.value.includes(group) ?? false;
  }

  /** The personal conduct statements staff acknowledge (`people.conductStatements`), in order. */
  async conductStatements(schoolId: string): Promise<Cited<ConductStatement[]> | null> {
    return (await this.people(schoolId))?.conductStatements ?? null;
  }

  /** The school's named responsibilities (`people.responsibilities`). */
  async responsibilities(schoolId: string): Promise<Cited<Responsibility[]> | null> {
    return (await this.people(schoolId))?.responsibilities ?? null;
  }

  /**
   * The school's titles for the staff roles (`people.roleTitles`), for every page's header and
   * role names. A shared read kept for up to 30 seconds per school and checked against the
   * school's cache version (ADR 0018; the profile's tables bump it), so a changed title shows on
   * the next request in every process.
   */
  async roleTitles(schoolId: string): Promise<RoleTitles | null> {
    const load = async () => (await this.people(schoolId))?.roleTitles.value ?? null;
    return this.database.cachedRead(`policy-role-titles:${schoolId}`, 30_000, load, schoolId);
  }
}
