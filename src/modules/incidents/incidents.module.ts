import { defineModule, type Services } from '../registry.ts';
import { IncidentsRepository } from './incidents.repository.ts';
import { IncidentsService } from './incidents.service.ts';
import { CaseActionsService } from './cases/case-actions.service.ts';
import { incidentsJobs } from './incidents.jobs.ts';
import { reportRoutes } from './reports/reports.routes.ts';
import { caseRoutes } from './cases/cases.routes.ts';
import { incidentsApi } from './incidents.api.ts';
import { canManageIncidents, canReportIncident } from './incidents.policy.ts';
import { evidenceModulePart, type EvidenceService } from './evidence/evidence.module-part.ts';
import { wireLetters } from './letters/letters.wire.ts';
import { letterRoutes } from './letters/letters.routes.ts';
import { letterJobs } from './letters/letters.jobs.ts';
import { wireGuidance } from './guidance/guidance.wire.ts';
import { guidanceRoutes } from './guidance/guidance.routes.ts';
import { IncidentAggregates } from './incidents.aggregates.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Incidents in figures (counts only): the governors’ monitoring report reads them. */
    incidentAggregates: IncidentAggregates;
    /** Incidents: reports, who sees what, the chronology (`recordEntry`) and the case lists. */
    incidents: IncidentsService;
    /** What is done with a case: classify, assign, steps of the playbook, close … */
    incidentCases: CaseActionsService;
    /** The encrypted, hashed evidence files of incidents (evidence/). */
    incidentEvidence: EvidenceService;
  }
}

/**
 * Incidents and safeguarding concerns (SPEC §3.6, issue 14; docs/incidents.md): the core
 * (reports, cases, who sees what), the evidence store (evidence/), letters (letters/) and
 * platform guidance (guidance/).
 */
export const incidentsModule = defineModule({
  name: 'incidents',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'config'
      | 'audit'
      | 'policies'
      | 'peopleDirectory'
      | 'jobs'
      | 'mailer'
      | 'files'
      | 'images'
      | 'training'
      | 'responsibilities'
    >,
  ) => {
    const parts: { evidence?: EvidenceService } = {};
    const incidents = new IncidentsService({
      database: deps.database,
      repository: new IncidentsRepository(),
      audit: deps.audit,
      clock: deps.clock,
      policies: deps.policies,
      people: deps.peopleDirectory,
      jobs: deps.jobs,
      mailer: deps.mailer,
      baseUrl: deps.config.baseUrl,
      // The report form hands its files to the evidence store.
      evidence: () => parts.evidence,
      // Training is wired after incidents: read when a case becomes significant.
      training: () => deps.training,
      // Who holds the named responsibilities reports also go to (incidents.reportToResponsibilities).
      responsibilities: deps.responsibilities,
    });
    const evidence = evidenceModulePart.wire(deps, incidents);
    parts.evidence = evidence;
    return {
      incidentAggregates: new IncidentAggregates({ database: deps.database }),
      incidents,
      incidentCases: new CaseActionsService(incidents),
      incidentEvidence: evidence,
      ...wireLetters(deps, incidents),
      ...wireGuidance(deps),
    };
  },
  // Fixed paths (guidance, letters' templates) before /incidents/:id.
  routes: [guidanceRoutes, letterRoutes, reportRoutes, caseRoutes, ...evidenceModulePart.routes],
  api: [incidentsApi, ...evidenceModulePart.api],
  jobs: { ...incidentsJobs, ...letterJobs },
  navigation: [
    {
      href: '/incidents',
      text: 'Incidents',
      section: 'safeguarding',
      description:
        'Concerns and incidents reported to the school, and what is being done about each.',
      order: 74,
      visible: canManageIncidents,
    },
    {
      href: '/report',
      text: 'Report a concern',
      section: 'safeguarding',
      description:
        'Tell the school about online bullying, an upsetting post or anything else that worries you.',
      order: 85,
      visible: canReportIncident,
    },
  ],
  attention: (services, p) => services.incidents.attention(p),
});
