import { defineModule, type Services } from '../registry.ts';
import type { Principal } from '../auth/index.ts';
import { isStaff } from '../auth/index.ts';
import { EvidenceStore } from '../../platform/evidence/evidence-store.ts';
import { SubjectAccessRepository } from './subject-access.repository.ts';
import { SubjectAccessService } from './subject-access.service.ts';
import { RetentionService } from './subject-access.retention.ts';
import { retentionJobs } from './subject-access.jobs.ts';
import { subjectAccessRoutes } from './subject-access.routes.ts';
import { subjectAccessApi } from './subject-access.api.ts';
import { canViewSubjectAccess } from './subject-access.policy.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Subject access requests: logged, due in a month, the bundle streamed (SPEC §3.10). */
    subjectAccess: SubjectAccessService;
    /** The retention schedule's daily sweep and the DPO's erasure (issue 16 item 6). */
    retention: RetentionService;
  }
}

/** Subject access requests and retention (issue 16 items 5 and 6; docs/subject-access.md). */
export const subjectAccessModule = defineModule({
  name: 'subject-access',
  wire: (
    deps: Pick<
      Services,
      'database' | 'clock' | 'config' | 'audit' | 'files' | 'peopleDirectory' | 'policies' | 'media'
    >,
  ) => {
    const repository = new SubjectAccessRepository();
    return {
      subjectAccess: new SubjectAccessService({
        database: deps.database,
        clock: deps.clock,
        audit: deps.audit,
        people: deps.peopleDirectory,
        files: deps.files,
        evidence: new EvidenceStore(deps.files, deps.config.evidenceKey),
        repository,
      }),
      retention: new RetentionService({
        database: deps.database,
        clock: deps.clock,
        audit: deps.audit,
        people: deps.peopleDirectory,
        policies: deps.policies,
        media: deps.media,
        files: deps.files,
        repository,
      }),
    };
  },
  routes: [subjectAccessRoutes],
  api: [subjectAccessApi],
  jobs: retentionJobs,
  navigation: [
    {
      href: '/subject-access',
      text: 'Subject access',
      section: 'policy-and-reports',
      description:
        'Requests for a copy of what the school holds about someone, erasure and how long records are kept.',
      order: 88,
      visible: canViewSubjectAccess,
    },
  ],
  attention: async (services, p: Principal) =>
    isStaff(p) ? services.subjectAccess.attention(p) : [],
});
