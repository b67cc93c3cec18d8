import { defineModule, type Services } from '../registry.ts';
import { ReportsService } from './reports.service.ts';
import { reportRoutes } from './reports.routes.ts';
import { canSeeTrustReport, mayOpenGovernorsReport } from './reports.policy.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** The governors' monitoring report: anonymised figures per term and year; the trust's. */
    reports: ReportsService;
  }
}

export const reportsModule = defineModule({
  name: 'reports',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'policies'
      | 'policyHistory'
      | 'people'
      | 'peopleDirectory'
      | 'peopleAggregates'
      | 'incidentAggregates'
      | 'consentAggregates'
      | 'publishingAggregates'
      | 'conductAggregates'
      | 'conductFiltering'
      | 'trainingAggregates'
      | 'acknowledgementAggregates'
    >,
  ) => ({
    reports: new ReportsService({
      database: deps.database,
      clock: deps.clock,
      policies: deps.policies,
      people: deps.peopleDirectory,
      schoolName: (schoolId) => deps.people.schoolName(schoolId),
      filtering: deps.conductFiltering,
      figures: {
        incidents: deps.incidentAggregates,
        consent: deps.consentAggregates,
        publishing: deps.publishingAggregates,
        conduct: deps.conductAggregates,
        people: deps.peopleAggregates,
        training: deps.trainingAggregates,
        acknowledgements: deps.acknowledgementAggregates,
        policyHistory: deps.policyHistory,
      },
    }),
  }),
  routes: [reportRoutes],
  navigation: [
    {
      href: '/reports/governors',
      text: 'Governors’ report',
      section: 'policy-and-reports',
      description: 'Figures for governors on consent, photos, posts, incidents and training.',
      order: 82,
      visible: mayOpenGovernorsReport,
      // The profile decides for governors (`review.governorsMonitoringReport`).
      shownBy: (services, p) => services.reports.mayView(p),
    },
    {
      href: '/trust/reports',
      text: 'Governors’ reports',
      section: 'policy-and-reports',
      description: 'The governors’ report for each school in the trust.',
      order: 82,
      visible: canSeeTrustReport,
    },
  ],
});
