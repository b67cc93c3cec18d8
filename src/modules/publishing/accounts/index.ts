import type { NavigationEntry, Services } from '../../registry.ts';
import { AccountsRepository } from './accounts.repository.ts';
import { AccountsService } from './accounts.service.ts';
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
  deps: Pick<Services, 'database' | 'clock' | 'audit' | 'policies' | 'secretBox' | 'config'>,
): { channelAccounts: AccountsService } {
  return {
    channelAccounts: new AccountsService({
      database: deps.database,
      repository: new AccountsRepository(),
      audit: deps.audit,
      clock: deps.clock,
      policies: deps.policies,
      secretBox: deps.secretBox,
      // A receiver on this machine over plain http: development and tests only.
      allowLoopbackHttp: deps.config.env !== 'production',
    }),
  };
}

export const accountsNavigation: NavigationEntry = {
  href: '/channels',
  text: 'Channels',
  order: 76,
  visible: showsChannelsTab,
};
