import type { Services } from '../../registry.ts';
import type { IncidentsService } from '../incidents.service.ts';
import { EvidenceStore } from '../../../platform/evidence/evidence-store.ts';
import { LettersRepository } from './letters.repository.ts';
import { LettersService } from './letters.service.ts';

declare module '../../registry.ts' {
  interface ServiceRegistry {
    /** Letters about an incident from the school's templates: PDF, email, kept with the case. */
    incidentLetters: LettersService;
  }
}

/** Builds the letters service (called from incidents.module.ts's `wire`). */
export function wireLetters(
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
  >,
  incidents: IncidentsService,
): { incidentLetters: LettersService } {
  return {
    incidentLetters: new LettersService({
      database: deps.database,
      repository: new LettersRepository(),
      audit: deps.audit,
      clock: deps.clock,
      mailer: deps.mailer,
      store: new EvidenceStore(deps.files, deps.config.evidenceKey),
      jobs: deps.jobs,
      policies: deps.policies,
      peopleDirectory: deps.peopleDirectory,
      incidents: () => incidents,
    }),
  };
}
