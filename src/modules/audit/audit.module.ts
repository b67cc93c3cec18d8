import { defineModule, type Services } from '../registry.ts';
import { AuditRepository } from './audit.repository.ts';
import { AuditService } from './audit.service.ts';
import { AuditCheckpoints } from './audit-checkpoints.ts';
import { readKeptNames } from './audit-kept-names.ts';
import { auditRoutes } from './audit.routes.ts';
import { auditJobs } from './audit.jobs.ts';
import { canViewAudit } from './audit.policy.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** The hash-chained audit log (ADR 0005) and its checkpoints (ADR 0012). */
    audit: AuditService;
  }
}

export const auditModule = defineModule({
  name: 'audit',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'files'
      | 'config'
      | 'people'
      | 'policyScope'
      | 'imports'
      | 'staffImports'
      | 'consentImports'
      | 'trainingImports'
    >,
  ) => ({
    audit: new AuditService({
      database: deps.database,
      repository: new AuditRepository(),
      clock: deps.clock,
      checkpoints: new AuditCheckpoints(deps.files, deps.config.sessionSecret),
      // People are wired after the audit log (they audit their changes): used lazily.
      names: (schoolId, ids) => deps.people.displayNames(schoolId, ids),
      // The school's role titles (people.roleTitles), a cached read of the policies module.
      roleTitles: (schoolId) => deps.policyScope.roleTitles(schoolId),
      // Names of former staff kept on the imports they uploaded or confirmed, for the entries
      // about those imports (audit-kept-names.ts; the import services are wired later: lazily).
      keptNames: (schoolId, refs) =>
        readKeptNames(
          {
            pupil_import: deps.imports,
            staff_import: deps.staffImports,
            consent_import: deps.consentImports,
            training_attendance_import: deps.trainingImports,
          },
          schoolId,
          refs,
        ),
    }),
  }),
  routes: [auditRoutes],
  jobs: auditJobs,
  navigation: [
    {
      href: '/audit',
      text: 'Audit log',
      section: 'policy-and-reports',
      description: 'A record of who did what in Lanyard, and when.',
      order: 90,
      visible: canViewAudit,
    },
  ],
});
