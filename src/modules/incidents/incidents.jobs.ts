import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** The content-free email about a new report to the profile's `incidents.reportTo` roles. */
    'incidents.alert': { schoolId: string; incidentId: string };
  }
}

export const incidentsJobs = defineJobs({
  'incidents.alert': {
    run: async (services, data) => {
      await services.incidents.sendAlert(data.schoolId, data.incidentId);
    },
  },
});
