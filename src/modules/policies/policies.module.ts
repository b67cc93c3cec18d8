import { defineModule, type Services } from '../registry.ts';
import { PolicyRepository } from './policies.repository.ts';
import { PolicyService } from './policies.service.ts';
import { policyRoutes } from './policies.routes.ts';
import { policiesApi } from './policies.api.ts';
import { policiesJobs } from './policies.jobs.ts';
import { canViewPolicy } from './policies.policy.ts';
import { PolicySwitchService } from './policy-switch.ts';
import { PolicyScopeService } from './policy-scope.ts';
import { ResponsibilitiesRepository } from './responsibilities.repository.ts';
import { ResponsibilitiesService } from './responsibilities.service.ts';
import { responsibilitiesRoutes } from './responsibilities.routes.ts';
import { eventNoticeRoutes } from './event-notice.routes.ts';
import { policySwitchRoutes } from './policy-switch.routes.ts';
import { PolicyHistory } from './policies.aggregates.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** The policy as it stood at a time (the version then current and its rules). */
    policyHistory: PolicyHistory;
    /** The school's policy profile: every rule, its value and the school's citation. */
    policies: PolicyService;
    /** Switching the profile to another starting point, with a preview in words (issue 15). */
    policySwitch: PolicySwitchService;
    /** Whom the policy covers, who acknowledges it, conduct statements, role titles (issue 15). */
    policyScope: PolicyScopeService;
    /** The school's named responsibilities given to staff (issue 15). */
    responsibilities: ResponsibilitiesService;
  }
}

export const policiesModule = defineModule({
  name: 'policies',
  wire: (
    deps: Pick<
      Services,
      'database' | 'clock' | 'mailer' | 'config' | 'audit' | 'peopleDirectory' | 'events'
    >,
  ) => {
    const policies = new PolicyService({
      database: deps.database,
      repository: new PolicyRepository(),
      // People are wired after the policies (they read the profile): used lazily.
      people: {
        staffWithRole: (...a) => deps.peopleDirectory.staffWithRole(...a),
        getSchool: (...a) => deps.peopleDirectory.getSchool(...a),
      },
      audit: deps.audit,
      clock: deps.clock,
      mailer: deps.mailer,
      baseUrl: deps.config.baseUrl,
      events: deps.events,
      // Acknowledgements are wired after the policies: used lazily. A version left unmarked
      // counts as substantive, so only a minor one cannot do without them.
      markVersion: async (tx, input, actor) => {
        const rounds = (deps as Partial<Services>).acknowledgementRounds;
        if (rounds) return rounds.markVersion(tx, input, actor);
        if (!input.substantive)
          throw new Error('A minor version needs the acknowledgements module to record it');
      },
    });
    return {
      policyHistory: new PolicyHistory({ database: deps.database }),
      policies,
      policyScope: new PolicyScopeService(policies, deps.database),
      responsibilities: new ResponsibilitiesService({
        database: deps.database,
        repository: new ResponsibilitiesRepository(),
        policies,
        // People are wired after the policies: used lazily.
        people: { staffRoster: (...a) => deps.peopleDirectory.staffRoster(...a) },
        audit: deps.audit,
        clock: deps.clock,
      }),
      policySwitch: new PolicySwitchService({
        database: deps.database,
        repository: new PolicyRepository(),
        audit: deps.audit,
        events: deps.events,
      }),
    };
  },
  routes: [policyRoutes, policySwitchRoutes, responsibilitiesRoutes, eventNoticeRoutes],
  api: [policiesApi],
  jobs: policiesJobs,
  navigation: [
    {
      href: '/policy',
      text: 'Policy',
      section: 'policy-and-reports',
      description:
        'The school’s social media policy: what it says and who is responsible for what.',
      order: 80,
      visible: canViewPolicy,
    },
  ],
});
