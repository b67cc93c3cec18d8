import { defineModule, type Services } from '../registry.ts';
import { DashboardService } from './dashboard.service.ts';
import { dashboardRoutes } from './dashboard.routes.ts';
import { PeopleRepository } from '../people/people.repository.ts';
import { ImportRepository } from '../people/import.repository.ts';

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
      | 'staffClasses'
    >,
  ) => ({
    dashboard: new DashboardService({
      database: deps.database,
      people: new PeopleRepository(),
      imports: new ImportRepository(),
      policies: deps.policies,
      consent: deps.consent,
      media: deps.media,
      devices: deps.devices,
      consentCampaigns: deps.consentCampaigns,
      staffClasses: deps.staffClasses,
      clock: deps.clock,
      attention: deps.attention,
    }),
  }),
  routes: [dashboardRoutes],
});
