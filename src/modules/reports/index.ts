/**
 * The reports module's public surface (docs/architecture.md, "Boundaries"): the governors'
 * monitoring report's service type and who may see it.
 */
export type { ReportsService } from './reports.service.ts';
export {
  canSeeGovernorsReport,
  canSeeTrustReport,
  mayOpenGovernorsReport,
} from './reports.policy.ts';
