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

declare module '../registry.ts' {
  interface ServiceRegistry {
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
    });
    return {
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
  navigation: [{ href: '/policy', text: 'Policy', order: 80, visible: canViewPolicy }],
});
