/**
 * The incidents module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"). The evidence store (`evidence/`), the letters
 * (`letters/`) and the guidance (`guidance/`) live in this module's folder and import the
 * core's files directly; other modules use this file.
 */
export type {
  IncidentsService,
  IncidentSummary,
  EvidenceAttacher,
  ReportFile,
} from './incidents.service.ts';
export type { CaseActionsService } from './cases/case-actions.service.ts';
export type { SignificantReason } from './incidents-significance.ts';
export {
  canReportIncident,
  canManageIncidents,
  canSeePupilChronology,
  caseAccess,
} from './incidents.policy.ts';
export {
  incidentPlatforms,
  platformLabels,
  incidentTypeLabels,
  categoryLabels,
  riskLabels,
} from './incidents.forms.ts';

// The incidents a pupil or parent is involved in, unredacted (subject access, issue 16 item 5).
export {
  incidentsAboutPerson,
  type IncidentsAboutPerson,
} from './incidents-subject-access.repository.ts';
// The policy's early review (issue 16 item 3) asks `services.incidents.significantSince(schoolId, since)`:
// how many cases became significant (every safeguarding concern and the profile's
// incidents.significantTypes) since a time, counts only.

// Retention and erasure (issue 16 item 6).
export {
  closedIncidentsBefore,
  closedSafeguardingIncidents,
  deleteIncidents,
  staffNamedInIncidents,
} from './incidents-retention.repository.ts';

// Figures for the governors' monitoring report (issue 16 item 4): counts only, no names.
export type { IncidentAggregates } from './incidents.aggregates.ts';
