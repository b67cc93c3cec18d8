import { defineModule, type Services } from '../registry.ts';
import { AcknowledgementsRepository } from './acknowledgements.repository.ts';
import { AcknowledgementsService } from './acknowledgements.service.ts';
import { acknowledgementRoutes } from './acknowledgements.routes.ts';
import { canAcknowledgePolicy } from './acknowledgements.policy.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Who has acknowledged which version of the school's policy. */
    acknowledgements: AcknowledgementsService;
  }
}

export const acknowledgementsModule = defineModule({
  name: 'acknowledgements',
  wire: (deps: Pick<Services, 'database' | 'clock' | 'audit' | 'policies'>) => ({
    acknowledgements: new AcknowledgementsService({
      database: deps.database,
      repository: new AcknowledgementsRepository(),
      audit: deps.audit,
      clock: deps.clock,
      policies: deps.policies,
    }),
  }),
  routes: [acknowledgementRoutes],
  attention: async (services, p) => {
    if (!canAcknowledgePolicy(p) || p.kind !== 'staff') return [];
    const version = await services.acknowledgements.currentVersion(p.schoolId);
    if (version === null) return [];
    if (await services.acknowledgements.hasAcknowledgedCurrent(p.schoolId, p.id)) return [];
    return [
      {
        title: 'Acknowledge the policy',
        detail: `Read the school’s social media policy (version ${version}) and confirm you have understood it.`,
        href: '/acknowledge-policy',
        tag: { text: 'To do', colour: 'orange' },
      },
    ];
  },
});
