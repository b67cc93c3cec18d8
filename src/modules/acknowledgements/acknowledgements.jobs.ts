import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /**
     * Daily: remind each member of staff (and parent, when the profile asks parents) who has not
     * acknowledged the version they are asked for; once per version, safe to run twice.
     */
    'acknowledgements.reminders': { schoolId?: string };
  }
}

export const acknowledgementJobs = defineJobs({
  'acknowledgements.reminders': {
    cron: '30 7 * * *',
    run: async (services, data) => {
      await services.acknowledgementRounds.sendReminders(data.schoolId);
    },
  },
});
