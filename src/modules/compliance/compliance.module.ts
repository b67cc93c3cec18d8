import { defineModule, type Services } from '../registry.ts';
import { ukDate } from '../../platform/clock.ts';
import { pupilsAndParentsForSchools, trainingStatusForSchools } from '../training/index.ts';
import { ComplianceService } from './compliance.service.ts';
import { complianceRoutes } from './compliance.routes.ts';
import { complianceApi } from './compliance.api.ts';
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

/**
 * By school, the UK date the version everyone must acknowledge was published: the version from
 * the acknowledgements module's rule (substantive and minor), its date from the policy's history.
 * Three statements whatever the number of schools.
 */
export function acknowledgementRequiredSince(
  deps: Pick<Services, 'acknowledgements' | 'policyHistory'>,
): (schoolIds: readonly string[]) => Promise<Map<string, string>> {
  return async (schoolIds) => {
    const required = await deps.acknowledgements.requiredVersionsForSchools(schoolIds);
    const made = await deps.policyHistory.madeAt(required);
    return new Map([...made].map(([id, at]) => [id, ukDate(at)]));
  };
}

export const complianceModule = defineModule({
  name: 'compliance',
  wire: (
    deps: Pick<
      Services,
      'database' | 'clock' | 'peopleDirectory' | 'training' | 'acknowledgements' | 'policyHistory'
    >,
  ) => ({
    compliance: new ComplianceService({
      database: deps.database,
      clock: deps.clock,
      people: deps.peopleDirectory,
      trainingStatusForSchools: (schoolIds) => trainingStatusForSchools(deps, schoolIds),
      acknowledgementRequiredSince: acknowledgementRequiredSince(deps),
      pupilsAndParentsForSchools: (schoolIds, query) =>
        pupilsAndParentsForSchools(deps, schoolIds, query),
    }),
  }),
  routes: [complianceRoutes],
  api: [complianceApi],
  navigation: [
    {
      href: '/compliance',
      text: 'Compliance',
      section: 'staff',
      description: 'Which staff have done their training and read the policy, and who is overdue.',
      order: 76,
      visible: mayOpenCompliance,
    },
    {
      href: '/trust/compliance',
      text: 'Training compliance',
      section: 'staff',
      description: 'How staff at each school in the trust are keeping up with training and policy.',
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
