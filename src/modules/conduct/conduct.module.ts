import { defineModule, type AttentionItem, type Services } from '../registry.ts';
import type { Principal } from '../auth/index.ts';
import { incidentPlatforms, platformLabels, type IncidentsService } from '../incidents/index.ts';
import { canUseConduct } from './conduct.policy.ts';
import type { IncidentsPort } from './declarations/declarations.service.ts';
import type { ConductDeps } from './conduct-deps.ts';
import { conductRoutes } from './conduct.routes.ts';
import { conductApi } from './conduct.api.ts';
import { conductJobs } from './conduct.jobs.ts';
import { DeclarationsRepository } from './declarations/declarations.repository.ts';
import { DeclarationsService } from './declarations/declarations.service.ts';
import { PermissionsRepository } from './permissions/permissions.repository.ts';
import { PermissionsService } from './permissions/permissions.service.ts';
import { FilteringRepository } from './filtering/filtering.repository.ts';
import { FilteringService } from './filtering/filtering.service.ts';
import { ConductAggregates } from './conduct.aggregates.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Declarations, permissions and filtering checks in figures (counts only): the governors’ report. */
    conductAggregates: ConductAggregates;
    /** Staff declarations: friend requests, social contact with families, online checks (SPEC §3.7). */
    conductDeclarations: DeclarationsService;
    /** Permission requests with their decision trail; `holds` answers the publishing check. */
    conductPermissions: PermissionsService;
    /** Filtering and monitoring records: provision, exceptions, checks and reviews. */
    conductFiltering: FilteringService;
  }
}

/** Staff conduct: declarations, permissions and the filtering and monitoring records. */
export const conductModule = defineModule({
  name: 'conduct',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'config'
      | 'mailer'
      | 'audit'
      | 'policies'
      | 'peopleDirectory'
      | 'consent'
    >,
  ) => {
    const shared: ConductDeps = {
      database: deps.database,
      clock: deps.clock,
      audit: deps.audit,
      policies: deps.policies,
      people: deps.peopleDirectory,
      mailer: deps.mailer,
      baseUrl: deps.config.baseUrl,
    };
    const conductPermissions = new PermissionsService({
      ...shared,
      repository: new PermissionsRepository(),
      consent: deps.consent,
    });
    return {
      conductAggregates: new ConductAggregates({ database: deps.database }),
      conductDeclarations: new DeclarationsService({
        ...shared,
        repository: new DeclarationsRepository(),
        // The incidents module is wired after this one: reached lazily, when a reviewer asks.
        incidents: () => {
          const incidents = (deps as Partial<Pick<Services, 'incidents'>>).incidents;
          return incidents ? incidentsPort(incidents) : undefined;
        },
      }),
      conductPermissions,
      conductFiltering: new FilteringService({
        ...shared,
        repository: new FilteringRepository(),
        permissions: conductPermissions,
      }),
    };
  },
  routes: [conductRoutes],
  api: [conductApi],
  jobs: conductJobs,
  navigation: [
    {
      href: '/conduct',
      text: 'Conduct',
      section: 'staff',
      description:
        'Declare contact with pupils and families online, ask permission, and check web filtering.',
      order: 77,
      visible: canUseConduct,
    },
  ],
  attention: conductAttention,
});

/** A declaration becomes a report of a concern, made by the reviewer, naming who declared it. */
function incidentsPort(incidents: IncidentsService): IncidentsPort {
  return {
    fromDeclaration: (p, report) => {
      const platform = incidentPlatforms.find(
        (k) =>
          k === report.platform?.trim().toLowerCase() ||
          platformLabels[k].toLowerCase() === report.platform?.trim().toLowerCase(),
      );
      return incidents.reportConcern(p, {
        whatHappened: report.whatHappened,
        platform: platform ?? (report.platform ? 'other_app' : undefined),
        url: undefined,
        occurredOn: undefined,
        occurredTime: undefined,
        occurredWhere: '',
        reporterConcern: 'no',
        pupils: report.pupilIds,
        pupilPart: undefined,
        staff: report.staffIds,
        staffPart: undefined,
        named: [],
      });
    },
  };
}

/** Declarations to read, requests to sign off or decide, and a filtering check that is due. */
async function conductAttention(services: Services, p: Principal): Promise<AttentionItem[]> {
  if (p.kind !== 'staff') return [];
  const items: AttentionItem[] = [];
  const [isReviewer, waiting, mayFiltering] = await Promise.all([
    services.conductDeclarations.isReviewer(p),
    services.conductPermissions.waitingFor(p, { names: false }),
    services.conductFiltering.mayView(p),
  ]);
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (isReviewer) {
    const n = await services.conductDeclarations.countAwaitingReview(p.schoolId);
    if (n > 0)
      items.push({
        title: 'Declarations to read',
        detail: `${plural(n, 'declaration is', 'declarations are')} waiting for your response.`,
        href: '/conduct/declarations',
        tag: { text: 'To read', colour: 'orange' },
      });
  }
  if (waiting.signOff.length)
    items.push({
      title: 'Permission requests to sign off',
      detail: `${plural(waiting.signOff.length, 'request needs', 'requests need')} your sign-off.`,
      href: '/conduct/permissions',
      tag: { text: 'To sign off', colour: 'orange' },
    });
  if (waiting.decide.length)
    items.push({
      title: 'Permission requests to decide',
      detail: `${plural(waiting.decide.length, 'request is', 'requests are')} waiting for your decision.`,
      href: '/conduct/permissions',
      tag: { text: 'To decide', colour: 'orange' },
    });
  if (mayFiltering) {
    const schedule = await services.conductFiltering.schedule(p.schoolId);
    if (schedule.checkOverdue || schedule.reviewOverdue)
      items.push({
        title:
          schedule.reviewOverdue && schedule.lastReviewOn
            ? 'Filtering review due'
            : 'Filtering check due',
        detail: schedule.lastCheckOn
          ? `The last check that web filtering and monitoring work was more than ${schedule.checkEveryDays} days ago.`
          : 'No check that web filtering and monitoring work has been recorded yet.',
        href: '/conduct/filtering',
        tag: { text: 'Due', colour: 'red' },
      });
  }
  return items;
}
