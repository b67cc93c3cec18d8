/**
 * The acknowledgements module's public surface (docs/architecture.md, "Boundaries"): the
 * service's type (`Services.acknowledgements`) and who may acknowledge.
 */
export type {
  AcknowledgementRow,
  AcknowledgementsService,
  AcknowledgingPerson,
  PersonKind,
} from './acknowledgements.service.ts';
export { canAcknowledgePolicy } from './acknowledgements.policy.ts';

// A parent's acknowledgements, a pupil's class agreement (subject access, issue 16 item 5).
export {
  acknowledgementsAboutPerson,
  type AcknowledgementsAboutPerson,
} from './acknowledgements-subject-access.repository.ts';
// Rounds of acknowledgement (issue 16 item 2): substantive and minor versions, who is missing.
export type { AcknowledgementRoundsService, WhoIsMissing } from './rounds.service.ts';
export { canSeeWhoIsMissing } from './rounds.policy.ts';

// Figures for the governors' monitoring report (issue 16 item 4): counts only, no names.
export type { AcknowledgementAggregates } from './acknowledgements.aggregates.ts';

// Retention (issue 16 item 6): a parent's acknowledgements go with their own record.
export {
  forgetParentsAcknowledgements,
  forgetStaffAcknowledgements,
  keepFormerStaffNamesInAcknowledgements,
  staffWhoRecordedAcknowledgements,
} from './acknowledgements-retention.repository.ts';
