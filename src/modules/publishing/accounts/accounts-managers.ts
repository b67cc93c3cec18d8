/**
 * Who may manage channel accounts, read from the school's profile, and the purposes a channel
 * may be set to.
 */
import { NotFoundError } from '../../../errors.ts';
import {
  roleLabels,
  type Principal,
  type StaffPrincipal,
  type StaffRole,
} from '../../auth/index.ts';
import type { ConsentPurpose } from '../../policies/index.ts';
import { canManageChannels } from './accounts.policy.ts';
import type { CustodianRule, AccountsParts, AccountsDeps } from './accounts-deps.ts';

export class AccountsManagers {
  constructor(
    private readonly deps: AccountsDeps,
    private readonly parts: AccountsParts,
  ) {}

  // ---------------------------------------------------------------------------------------
  // Who may manage, from the profile
  // ---------------------------------------------------------------------------------------

  /** The profile's credential custodian role and its clause. */
  async custodianRule(schoolId: string): Promise<CustodianRule> {
    const current = await this.deps.policies.current(schoolId);
    const rule = current.settings.roles.credentialCustodianRole;
    return {
      role: rule.value,
      // The school's own title for the role (people.roleTitles), Lanyard's name otherwise.
      roleLabel:
        current.settings.people.roleTitles.value[rule.value as StaffRole] ??
        roleLabels[rule.value as StaffRole],
      citation: rule.citation,
    };
  }

  async canManage(p: Principal): Promise<boolean> {
    if (p.kind !== 'staff') return false;
    return canManageChannels(p, (await this.custodianRule(p.schoolId)).role);
  }

  /** The principal, when they manage this school's channels; a 404 for anyone else. */
  async manager(p: Principal): Promise<StaffPrincipal> {
    if (p.kind !== 'staff' || !(await this.canManage(p))) throw new NotFoundError();
    return p;
  }

  /** The profile's consent purposes (what a channel may map to), external ones first. */
  async purposes(schoolId: string): Promise<ConsentPurpose[]> {
    const current = await this.deps.policies.current(schoolId);
    const all = current.settings.consent.purposes.value;
    return [...all.filter((x) => x.external), ...all.filter((x) => !x.external)];
  }
}
