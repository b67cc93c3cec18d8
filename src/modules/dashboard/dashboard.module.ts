import { defineModule, type Services } from '../registry.ts';
import { DashboardService } from './dashboard.service.ts';
import { dashboardRoutes } from './dashboard.routes.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Each person's home page: what needs them, from every module. */
    dashboard: DashboardService;
  }
}

export const dashboardModule = defineModule({
  name: 'dashboard',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'attention'
      | 'policies'
      | 'consent'
      | 'media'
      | 'devices'
      | 'consentCampaigns'
      | 'consentKeeper'
      | 'staffClasses'
      | 'peopleDirectory'
    >,
  ) => ({
    dashboard: new DashboardService({
      database: deps.database,
      people: deps.peopleDirectory,
      policies: deps.policies,
      consent: deps.consent,
      media: deps.media,
      devices: deps.devices,
      consentCampaigns: deps.consentCampaigns,
      staffClasses: deps.staffClasses,
      clock: deps.clock,
      attention: deps.attention,
      // The consent record keeper the profile names (roles.consentRecordKeeper…) sees consent work.
      isConsentKeeper: (p) => deps.consentKeeper.isKeeper(p),
    }),
  }),
  routes: [dashboardRoutes],
});
