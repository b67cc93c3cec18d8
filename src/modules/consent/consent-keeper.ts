import type { Database } from '../../platform/db/database.ts';
import type { Principal } from '../auth/index.ts';
import type { PolicyRole, PolicyService } from '../policies/index.ts';
import type { Services } from '../registry.ts';
import { isConsentRecordKeeper, type ConsentKeeper } from './consent.policy.ts';

/** Who keeps a school's consent record, as one kept read per school. */
export interface SchoolConsentKeeper {
  /** `roles.consentRecordKeeperRole`; null before the school has a profile. */
  role: PolicyRole | null;
  /** The members of staff holding one of `roles.consentRecordKeeperResponsibilities` now. */
  holders: ReadonlySet<string>;
}

/** How long one process reuses a school's keeper (never across a change: the cache version). */
const KEEPER_TTL_MS = 30_000;

/**
 * Who keeps the consent record, from the school's profile (issue 15): the role it names
 * (`roles.consentRecordKeeperRole`, the DPO in every template) and the holders of the
 * responsibilities it names (`roles.consentRecordKeeperResponsibilities`, e.g. a data lead).
 * One shared read per school (`Database.cachedRead`), checked against the school's cache version
 * before every use (policy_profiles and responsibility_holders bump it: migrations 0022, 0051),
 * so a change made anywhere counts on the next request, and a route's access can ask it before
 * the request's body is read (web/school-access.ts).
 */
export class ConsentKeeperService {
  constructor(
    private readonly deps: {
      database: Pick<Database, 'cachedRead'>;
      policies: Pick<PolicyService, 'currentOrNull'>;
      /** The members of staff who hold any of these responsibilities now (a kept read too). */
      holdersOf: (schoolId: string, keys: readonly string[]) => Promise<string[]>;
    },
  ) {}

  /** The school's record keeper: the profile's role and who holds its responsibilities. */
  forSchool(schoolId: string): Promise<SchoolConsentKeeper> {
    return this.deps.database.cachedRead(
      `consent-keeper:${schoolId}`,
      KEEPER_TTL_MS,
      async () => {
        const current = await this.deps.policies.currentOrNull(schoolId);
        if (!current) return { role: null, holders: new Set<string>() };
        const { roles } = current.settings;
        const keys = roles.consentRecordKeeperResponsibilities.value;
        return {
          role: roles.consentRecordKeeperRole.value,
          holders: new Set(keys.length ? await this.deps.holdersOf(schoolId, keys) : []),
        };
      },
      schoolId,
    );
  }

  /** The record keeper for this person: the profile's role, and whether they hold its responsibility. */
  async keeperFor(p: Principal): Promise<ConsentKeeper> {
    if (p.kind !== 'staff') return { role: null, byResponsibility: false };
    const school = await this.forSchool(p.schoolId);
    return { role: school.role, byResponsibility: school.holders.has(p.id) };
  }

  /** Whether this person keeps the consent record under the school's current profile. */
  async isKeeper(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return isConsentRecordKeeper(p, await this.keeperFor(p));
  }
}

/**
 * A route's keeper check (`config.schoolAccess`, web/school-access.ts): one of consent.policy.ts's
 * `…As` functions, asked with the school's keeper (a kept per-school read) before the body is read.
 */
export const keeperAccess =
  (may: (p: Principal, keeper: ConsentKeeper) => boolean) =>
  async (services: Services, p: Principal): Promise<boolean> =>
    may(p, await services.consentKeeper.keeperFor(p));
