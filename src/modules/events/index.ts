/**
 * The events module's public surface: the only file another module imports from
 * (docs/architecture.md, "Boundaries"): the domain-event outbox's service type (`Services.events`)
 * and the events' payloads.
 */
export type {
  DomainEventPayloads,
  DomainEventType,
  EventListener,
  EventsService,
} from './events.service.ts';
