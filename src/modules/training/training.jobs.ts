import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /**
     * Daily: email staff whose training is overdue, and each line manager once with their
     * overdue reports (staff without one: the profile's `training.overdueReminderRole`). Safe
     * to run twice.
     */
    'training.reminders': { schoolId?: string };
    /** Check an uploaded attendance sheet against the school (ADR 0022). */
    'training.import-preview': { importId: string };
    /** Record a confirmed attendance sheet, all or nothing. */
    'training.import-commit': { importId: string; actorId: string | null };
    /** Every minute: queue again the attendance imports whose job died with its worker. */
    'training.import-resume': Record<string, never>;
  }
}

export const trainingJobs = defineJobs({
  'training.reminders': {
    cron: '15 7 * * *',
    run: async (services, data) => {
      await services.training.sendReminders(data.schoolId);
    },
  },
  'training.import-preview': {
    run: async (services, data) => {
      await services.trainingImports.preview(data.importId);
    },
  },
  'training.import-commit': {
    run: async (services, data) => {
      await services.trainingImports.commit(data.importId, data.actorId);
    },
  },
  'training.import-resume': {
    cron: '* * * * *',
    run: async (services) => {
      await services.trainingImports.resumeInterrupted({ everything: false });
    },
  },
});
