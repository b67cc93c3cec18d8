import type { ModuleApi, ModuleRoutes, Services } from '../../registry.ts';
import { EvidenceStore } from '../../../platform/evidence/evidence-store.ts';
import { EvidenceRepository } from './evidence.repository.ts';
import { EvidenceService, type IncidentsForEvidence } from './evidence.service.ts';
import { evidenceRoutes } from './evidence.routes.ts';
import { evidenceApi } from './evidence.api.ts';

export type { EvidenceService };

/**
 * The evidence part of the incidents module (issue 14 item 3), plugged in by
 * `incidents.module.ts`: its service (`services.incidentEvidence`), pages and API. The store
 * keeps its encrypted files in the ordinary file store (under `<schoolId>/evidence/`) with the
 * key from configuration (`EVIDENCE_KEY`).
 */
export const evidenceModulePart = {
  wire: (
    deps: Pick<
      Services,
      'database' | 'clock' | 'config' | 'audit' | 'peopleDirectory' | 'files' | 'images'
    >,
    incidents: IncidentsForEvidence,
  ): EvidenceService =>
    new EvidenceService({
      database: deps.database,
      clock: deps.clock,
      audit: deps.audit,
      files: deps.files,
      images: deps.images,
      store: new EvidenceStore(deps.files, deps.config.evidenceKey),
      repository: new EvidenceRepository(),
      people: deps.peopleDirectory,
      incidents: () => incidents,
      uploadMaxBytes: deps.config.uploadMaxBytes,
    }),
  routes: [evidenceRoutes] as ModuleRoutes[],
  api: [evidenceApi] as ModuleApi[],
};
