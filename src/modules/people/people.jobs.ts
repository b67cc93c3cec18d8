import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Parse an uploaded MIS file into a preview with row errors. */
    'people.import-preview': { importId: string };
    /** Apply a previewed MIS file, all or nothing. */
    'people.import-commit': { importId: string; actorId: string | null };
    /** Every minute: queue again the pupil imports whose job died with its worker (ADR 0022). */
    'people.import-resume': Record<string, never>;
    /** Check an uploaded staff list (CSV) into a preview with row errors (staff-import.kind.ts). */
    'people.staff.import-preview': { importId: string };
    /** Apply a previewed staff list, all or nothing. */
    'people.staff.import-commit': { importId: string; actorId: string | null };
    /** Every minute: queue again the staff imports whose job died with its worker (ADR 0022). */
    'people.staff.import-resume': Record<string, never>;
    /** Every hour: deactivate the staff whose leave date has come (docs/people.md). */
    'people.staff-leavers': Record<string, never>;
  }
}

export const peopleJobs = defineJobs({
  'people.import-preview': {
    run: async (services, data) => {
      await services.imports.preview(data.importId);
    },
  },
  'people.import-commit': {
    run: async (services, data) => {
      await services.imports.commit(data.importId, data.actorId);
    },
  },
  'people.import-resume': {
    cron: '* * * * *',
    run: async (services) => {
      await services.imports.resumeInterrupted({ everything: false });
    },
  },
  'people.staff.import-preview': {
    run: async (services, data) => {
      await services.staffImports.preview(data.importId);
    },
  },
  'people.staff.import-commit': {
    run: async (services, data) => {
      await services.staffImports.commit(data.importId, data.actorId);
    },
  },
  'people.staff.import-resume': {
    cron: '* * * * *',
    run: async (services) => {
      await services.staffImports.resumeInterrupted({ everything: false });
    },
  },
  'people.staff-leavers': {
    cron: '7 * * * *',
    run: async (services) => {
      await services.people.deactivateLeavers();
    },
  },
});
