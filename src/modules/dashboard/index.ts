/**
 * The dashboard module's public surface (docs/architecture.md, "Boundaries"): its service's type
 * (`Services.dashboard`). No other module needs more.
 */
export type { DashboardService } from './dashboard.service.ts';
