import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Daily: delete what the retention schedule says is due, and report it (issue 16 item 6). */
    'retention.sweep': { schoolId?: string };
  }
}

export const retentionJobs = defineJobs({
  'retention.sweep': {
    // After the media module's own run at 02:30 (the sweep runs it again: it changes nothing twice).
    cron: '50 2 * * *',
    run: async (services, data) => {
      await services.retention.sweep(data.schoolId);
    },
  },
});
