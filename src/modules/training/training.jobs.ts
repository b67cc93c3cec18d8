import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /**
     * Daily: email staff whose training is overdue, and their line manager (the Headteacher:
     * Lanyard's people records have no line manager). Safe to run twice.
     */
    'training.reminders': { schoolId?: string };
  }
}

export const trainingJobs = defineJobs({
  'training.reminders': {
    cron: '15 7 * * *',
    run: async (services, data) => {
      await services.training.sendReminders(data.schoolId);
    },
  },
});
