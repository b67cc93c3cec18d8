/**
 * The conduct module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"). Its services' types (`Services.conductDeclarations`,
 * `conductPermissions`, `conductFiltering`), who may, and the words for its kinds.
 *
 * - `conductPermissions.holds(schoolId, staffId, type)`: whether someone holds a current
 *   permission (the publishing check for reminder posts reads it).
 * - `conductFiltering.reviewForGovernors(schoolId, period?)`: the filtering and monitoring part of
 *   the governors' report (the latest annual review in the period, in the reviewer's words, with
 *   who recorded it).
 *
 * Inside, the sub-folders are by job: `declarations/`, `permissions/`, `filtering/`.
 */
export type { DeclarationsService, IncidentsPort } from './declarations/declarations.service.ts';
export type { PermissionsService } from './permissions/permissions.service.ts';
export type {
  FilteringReviewRecord,
  FilteringReviewSummary,
  FilteringSchedule,
  FilteringService,
} from './filtering/filtering.service.ts';
export {
  canReviewDeclarations,
  canUseConduct,
  canViewFiltering,
  declarationKindsOffered,
  type DeclarationKind,
} from './conduct.policy.ts';
export { declarationKindShort } from './declarations/declarations.forms.ts';
export { permissionTypeLabels } from './permissions/permissions.forms.ts';
export { permissionStatusLabels, type PermissionStatus } from './permissions/permission-states.ts';

// Declarations and permissions that name a pupil or parent (subject access, issue 16 item 5).
export {
  conductAboutPerson,
  type ConductAboutPerson,
} from './conduct-subject-access.repository.ts';

// Retention and erasure (issue 16 item 6).
export {
  deleteDeclarationsBefore,
  deletePermissionsBefore,
} from './conduct-retention.repository.ts';

// Figures for the governors' monitoring report (issue 16 item 4): counts only, no names.
export type { ConductAggregates } from './conduct.aggregates.ts';
