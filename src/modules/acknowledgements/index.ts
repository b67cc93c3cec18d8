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
