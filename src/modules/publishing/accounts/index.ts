import type { NavigationEntry, Services } from '../../registry.ts';
import { AccountsRepository } from './accounts.repository.ts';
import { AccountsService, type StaffDirectory, type StaffOption } from './accounts.service.ts';
import { showsChannelsTab } from './accounts.policy.ts';

export { accountsRoutes } from './accounts.routes.ts';
export { accountsApi } from './accounts.api.ts';
export { AccountsService } from './accounts.service.ts';
export { WebhookAdapter } from './webhook-adapter.ts';

declare module '../../registry.ts' {
  interface ServiceRegistry {
    /**
     * The school's channels and accounts (SPEC §3.3): custodians, people authorised to post,
     * credential hand-overs, sealed API tokens and webhook signing secrets, the webhook adapter.
     */
    channelAccounts: AccountsService;
  }
}

/**
 * The accounts part of the publishing module: `publishing.module.ts` spreads `wireAccounts` into
 * its `wire`, and lists `accountsRoutes`, `accountsApi` and `accountsNavigation`.
 */
export function wireAccounts(
  deps: Pick<
    Services,
    'database' | 'clock' | 'audit' | 'policies' | 'secretBox' | 'config' | 'people'
  >,
): { channelAccounts: AccountsService } {
  return {
    channelAccounts: new AccountsService({
      database: deps.database,
      repository: new AccountsRepository(),
      audit: deps.audit,
      clock: deps.clock,
      policies: deps.policies,
      secretBox: deps.secretBox,
      staff: staffDirectory(deps.people),
      // A receiver on this machine over plain http: development and tests only.
      allowLoopbackHttp: deps.config.env !== 'production',
    }),
  };
}

/** The school's staff, read through the people module's service (never its tables). */
function staffDirectory(people: Services['people']): StaffDirectory {
  return {
    active: async (schoolId) => {
      const out: StaffOption[] = [];
      for (let page = 1; ; page++) {
        const result = await people.listStaff(schoolId, undefined, page);
        for (const r of result.rows)
          if (r.active)
            out.push({ id: r.id, name: `${r.givenName} ${r.familyName}`, roles: r.roles });
        if (page >= result.pages) return out;
      }
    },
    names: async (schoolId, ids) =>
      (await people.displayNames(schoolId, { staff: ids, parents: [], pupils: [] })).staff,
  };
}

export const accountsNavigation: NavigationEntry = {
  href: '/channels',
  text: 'Channels',
  section: 'posts-and-photos',
  description: 'The school’s website and social media accounts that posts go to.',
  order: 76,
  visible: showsChannelsTab,
};
