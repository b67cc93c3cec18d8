import { defineModule, type Services } from '../registry.ts';
import { AcknowledgementsRepository } from './acknowledgements.repository.ts';
import { AcknowledgementsService } from './acknowledgements.service.ts';
import { acknowledgementRoutes } from './acknowledgements.routes.ts';
import { canAcknowledgePolicy } from './acknowledgements.policy.ts';
import { VersionKindsRepository } from './version-kinds.repository.ts';
import { AcknowledgementRoundsService } from './rounds.service.ts';
import { roundRoutes } from './rounds.routes.ts';
import { acknowledgementJobs } from './acknowledgements.jobs.ts';
import { AcknowledgementAggregates } from './acknowledgements.aggregates.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Acknowledgements in figures at a time (counts only): the governors’ monitoring report. */
    acknowledgementAggregates: AcknowledgementAggregates;
    /** Who has acknowledged which version of the school's policy. */
    acknowledgements: AcknowledgementsService;
    /** Substantive and minor versions, class agreements, who is missing, reminders (issue 16). */
    acknowledgementRounds: AcknowledgementRoundsService;
  }
}

export const acknowledgementsModule = defineModule({
  name: 'acknowledgements',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'audit'
      | 'policies'
      | 'events'
      | 'peopleDirectory'
      | 'staffClasses'
      | 'mailer'
      | 'config'
    >,
  ) => {
    const kinds = new VersionKindsRepository();
    const acknowledgements = new AcknowledgementsService({
      database: deps.database,
      repository: new AcknowledgementsRepository(),
      audit: deps.audit,
      clock: deps.clock,
      policies: deps.policies,
      kinds,
    });
    const acknowledgementRounds = new AcknowledgementRoundsService({
      database: deps.database,
      kinds,
      acknowledgements,
      policies: deps.policies,
      people: deps.peopleDirectory,
      staffClasses: deps.staffClasses,
      audit: deps.audit,
      clock: deps.clock,
      mailer: deps.mailer,
      baseUrl: deps.config.baseUrl,
    });
    // A substantive new version marks earlier acknowledgements superseded, in its transaction.
    deps.events.on('policy.version-published', (tx, schoolId, payload) =>
      acknowledgementRounds
        .onVersionPublished(tx, schoolId, payload.versionId, payload.version)
        .then(() => undefined),
    );
    return {
      acknowledgements,
      acknowledgementRounds,
      acknowledgementAggregates: new AcknowledgementAggregates({ database: deps.database }),
    };
  },
  routes: [acknowledgementRoutes, roundRoutes],
  jobs: acknowledgementJobs,
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
