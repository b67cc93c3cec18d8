import { defineJobs } from '../../registry.ts';

declare module '../../registry.ts' {
  interface JobRegistry {
    /**
     * Turn waiting `consent.changed` events into takedown tasks, then take down what Lanyard can
     * reach itself (retrying failed removals whose time has come). Enqueued with each event (in
     * its transaction) and every minute.
     */
    'publishing.takedowns': Record<string, never>;
  }
}

export const takedownJobs = defineJobs({
  'publishing.takedowns': {
    cron: '* * * * *',
    run: async (services) => {
      await services.takedowns.run();
    },
  },
});
