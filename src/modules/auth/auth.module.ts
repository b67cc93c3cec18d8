import { defineModule, type Services } from '../registry.ts';
import { AuthRepository } from './auth.repository.ts';
import { AuthService } from './auth.service.ts';
import { authRoutes } from './auth.routes.ts';
import { authJobs } from './auth.jobs.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Sign-in (passwords, second factor, one-time links), sessions and API tokens. */
    auth: AuthService;
  }
}

export const authModule = defineModule({
  name: 'auth',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'mailer'
      | 'jobs'
      | 'secretBox'
      | 'config'
      | 'audit'
      | 'peopleDirectory'
    >,
  ) => ({
    auth: new AuthService({
      database: deps.database,
      repository: new AuthRepository(),
      people: deps.peopleDirectory,
      audit: deps.audit,
      clock: deps.clock,
      mailer: deps.mailer,
      secretBox: deps.secretBox,
      jobs: deps.jobs,
      config: {
        sessionTtlHours: deps.config.sessionTtlHours,
        linkTtlMinutes: deps.config.linkTtlMinutes,
        loginMaxAttempts: deps.config.loginMaxAttempts,
        baseUrl: deps.config.baseUrl,
      },
    }),
  }),
  routes: [authRoutes],
  jobs: authJobs,
});
