/**
 * The compliance module's public surface (docs/architecture.md, "Boundaries"): the service's type
 * (`Services.compliance`) and who may see what.
 */
export type { ComplianceService, SchoolCompliance, TrustCompliance } from './compliance.service.ts';
export type { ComplianceReport, Filters, SchoolFigures } from './compliance-view.ts';
export {
  canSeeTrustCompliance,
  complianceViewFor,
  mayOpenCompliance,
  type ComplianceView,
} from './compliance.policy.ts';
