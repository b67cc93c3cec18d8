import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Hourly: checkpoint the audit chains' heads to the file store (ADR 0012). */
    'audit.checkpoint': Record<string, never>;
  }
}

export const auditJobs = defineJobs({
  'audit.checkpoint': {
    cron: '0 * * * *',
    run: async (services) => {
      await services.audit.checkpoint('scheduled');
    },
  },
});
