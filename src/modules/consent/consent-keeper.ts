import type { Principal } from '../auth/index.ts';
import type { PolicyService } from '../policies/index.ts';
import { isConsentRecordKeeper, type ConsentKeeper } from './consent.policy.ts';

/**
 * Who keeps the consent record, from the school's profile (issue 15): the role it names
 * (`roles.consentRecordKeeperRole`, the DPO in every template) and the holders of the
 * responsibilities it names (`roles.consentRecordKeeperResponsibilities`, e.g. a data lead),
 * read on each request (the profile and who holds what are shared reads per school, checked
 * against the school's cache version), so a change counts on the next request.
 */
export class ConsentKeeperService {
  constructor(
    private readonly deps: {
      policies: Pick<PolicyService, 'current'>;
      /** The named responsibilities a member of staff holds now. */
      responsibilitiesHeld: (schoolId: string, staffId: string) => Promise<string[]>;
    },
  ) {}

  /** The record keeper for this person: the profile's role, and whether they hold its responsibility. */
  async keeperFor(p: Principal): Promise<ConsentKeeper> {
    if (p.kind !== 'staff') return { role: 'dpo', byResponsibility: false };
    const { roles } = (await this.deps.policies.current(p.schoolId)).settings;
    const keys = roles.consentRecordKeeperResponsibilities.value;
    const held = keys.length ? await this.deps.responsibilitiesHeld(p.schoolId, p.id) : [];
    return {
      role: roles.consentRecordKeeperRole.value,
      byResponsibility: keys.some((k) => held.includes(k)),
    };
  }

  /** Whether this person keeps the consent record under the school's current profile. */
  async isKeeper(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return isConsentRecordKeeper(p, await this.keeperFor(p));
  }
}
