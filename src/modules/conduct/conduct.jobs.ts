import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Hourly: granted permissions past their date (`conduct.permissionTypes.*.expiresAfterDays`) expire. */
    'conduct.expire-permissions': Record<string, never>;
  }
}

export const conductJobs = defineJobs({
  'conduct.expire-permissions': {
    cron: '23 * * * *',
    run: async (services) => {
      // In batches, so a long backlog never holds one transaction open for long.
      while ((await services.conductPermissions.expireDue(500)) === 500);
    },
  },
});
