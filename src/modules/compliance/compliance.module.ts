import { defineModule, type Services } from '../registry.ts';
import { trainingStatusForSchools } from '../training/index.ts';
import { ComplianceService } from './compliance.service.ts';
import { complianceRoutes } from './compliance.routes.ts';
import {
  canSeeTrustCompliance,
  mayOpenCompliance,
  seesOverdueOnHome,
} from './compliance.policy.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** The compliance view: training and policy acknowledgement by role and person; the trust's figures. */
    compliance: ComplianceService;
  }
}

export const complianceModule = defineModule({
  name: 'compliance',
  wire: (deps: Pick<Services, 'database' | 'clock' | 'peopleDirectory' | 'training'>) => ({
    compliance: new ComplianceService({
      database: deps.database,
      clock: deps.clock,
      people: deps.peopleDirectory,
      trainingStatusForSchools: (schoolIds) => trainingStatusForSchools(deps, schoolIds),
    }),
  }),
  routes: [complianceRoutes],
  navigation: [
    { href: '/compliance', text: 'Compliance', order: 76, visible: mayOpenCompliance },
    {
      href: '/trust/compliance',
      text: 'Training compliance',
      order: 76,
      visible: canSeeTrustCompliance,
    },
  ],
  attention: async (services, p) => {
    if (!seesOverdueOnHome(p) || p.kind !== 'staff') return [];
    if (!(await services.policies.currentOrNull(p.schoolId))) return [];
    const n = await services.compliance.overduePeople(p.schoolId);
    if (n === 0) return [];
    return [
      {
        title: `${n} ${n === 1 ? 'person' : 'people'} overdue for training or the policy`,
        detail:
          'Training that is overdue, or the current policy not yet acknowledged. See who, by role.',
        href: '/compliance?status=overdue',
        tag: { text: 'Overdue', colour: 'red' },
      },
    ];
  },
});
