import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Daily: record the end of a consent year and open the renewal campaign (issue 3 item 7). */
    'consent.rollover': { schoolId?: string };
    /** Daily: remind parents who have not returned this year's consent form. */
    'consent.renewal-reminders': { schoolId?: string };
    /** Email the receipt of an online consent statement, unless it has gone already. */
    'consent.receipt-email': { recordId: string; schoolId: string };
    /** Check an uploaded consent spreadsheet into a preview with row errors. */
    'consent.import-preview': { importId: string };
    /** Record a confirmed consent spreadsheet, all or nothing. */
    'consent.import-commit': { importId: string; actorId: string | null };
    /** Every minute: queue again the consent imports whose job died with its worker (ADR 0022). */
    'consent.import-resume': Record<string, never>;
  }
}

export const consentJobs = defineJobs({
  'consent.rollover': {
    cron: '10 6 * * *',
    run: async (services, data) => {
      await services.consentCampaigns.rollover(data.schoolId);
    },
  },
  'consent.renewal-reminders': {
    cron: '40 8 * * *',
    run: async (services, data) => {
      await services.consentCampaigns.sendReminders(data.schoolId);
    },
  },
  'consent.receipt-email': {
    run: async (services, data) => {
      await services.consentForm.sendReceiptEmail(data.schoolId, data.recordId);
    },
  },
  'consent.import-preview': {
    run: async (services, data) => {
      await services.consentImports.preview(data.importId);
    },
  },
  'consent.import-commit': {
    run: async (services, data) => {
      await services.consentImports.commit(data.importId, data.actorId);
    },
  },
  'consent.import-resume': {
    cron: '* * * * *',
    run: async (services) => {
      await services.consentImports.resumeInterrupted({ everything: false });
    },
  },
});
