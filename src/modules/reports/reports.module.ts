import { defineModule, type Services } from '../registry.ts';
import { trainingStatus } from '../training/index.ts';
import { ReportsRepository } from './reports.repository.ts';
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
      'database' | 'clock' | 'policies' | 'people' | 'peopleDirectory' | 'training'
    >,
  ) => ({
    reports: new ReportsService({
      database: deps.database,
      clock: deps.clock,
      repository: new ReportsRepository(),
      policies: deps.policies,
      people: deps.peopleDirectory,
      schoolName: (schoolId) => deps.people.schoolName(schoolId),
      trainingStatus: (schoolId) => trainingStatus(deps, schoolId),
    }),
  }),
  routes: [reportRoutes],
  navigation: [
    {
      href: '/reports/governors',
      text: 'Governors’ report',
      order: 77,
      visible: mayOpenGovernorsReport,
    },
    { href: '/trust/reports', text: 'Governors’ reports', order: 77, visible: canSeeTrustReport },
  ],
});
