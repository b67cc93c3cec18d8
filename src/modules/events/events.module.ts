import { defineModule, type Services } from '../registry.ts';
import { EventsRepository } from './events.repository.ts';
import { EventsService } from './events.service.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** Domain events written in the same transaction as the change (the outbox). */
    events: EventsService;
  }
}

export const eventsModule = defineModule({
  name: 'events',
  wire: (deps: Pick<Services, 'database' | 'clock'>) => ({
    events: new EventsService({
      database: deps.database,
      repository: new EventsRepository(),
      clock: deps.clock,
    }),
  }),
});
