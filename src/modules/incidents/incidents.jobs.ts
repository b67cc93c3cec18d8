import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** The content-free email about a new report to the profile's `incidents.reportTo` roles. */
    'incidents.alert': { schoolId: string; incidentId: string };
    /** Hourly: encrypted evidence files no row names, written over an hour ago, removed. */
    'incidents.evidence-sweep': Record<string, never>;
  }
}

export const incidentsJobs = defineJobs({
  'incidents.alert': {
    run: async (services, data) => {
      await services.incidents.sendAlert(data.schoolId, data.incidentId);
    },
  },
  'incidents.evidence-sweep': {
    cron: '41 * * * *',
    run: async (services) => {
      const hourAgo = new Date(services.clock.now().getTime() - 60 * 60 * 1000);
      await services.incidentEvidence.sweepOrphans(hourAgo);
    },
  },
});
