import type { Services } from '../../registry.ts';
import { GuidanceRepository } from './guidance.repository.ts';
import { GuidanceService } from './guidance.service.ts';

declare module '../../registry.ts' {
  interface ServiceRegistry {
    /** Platform guidance pages: Lanyard's text until the school saves its own (with history). */
    incidentGuidance: GuidanceService;
  }
}

/** Builds the guidance service (called from incidents.module.ts's `wire`). */
export function wireGuidance(
  deps: Pick<Services, 'database' | 'clock' | 'audit' | 'peopleDirectory'>,
): { incidentGuidance: GuidanceService } {
  return {
    incidentGuidance: new GuidanceService({
      database: deps.database,
      repository: new GuidanceRepository(),
      audit: deps.audit,
      clock: deps.clock,
      peopleDirectory: deps.peopleDirectory,
    }),
  };
}
