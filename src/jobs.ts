import type { Services } from './container.ts';
import type { SignInLinkJob } from './modules/auth/auth.service.ts';
import type { StaffInvitationJob } from './modules/people/people.service.ts';

/**
 * The typed job registry: every job name and its payload. Jobs carry ids, reload state and are
 * safe to run twice (ARCHITECTURE rule 7). `lanyard worker` refuses to start if a name here has
 * no handler below.
 */
export interface JobPayloads {
  /** Daily: email the Headteacher as a school's policy review date approaches. */
  'policy.review-reminder': { schoolId?: string };
  /** Parse an uploaded MIS file into a preview with row errors. */
  'people.import-preview': { importId: string };
  /** Apply a previewed MIS file, all or nothing. */
  'people.import-commit': { importId: string; actorId: string | null };
  /** Hourly: remove expired sessions and old sign-in attempts. */
  'auth.session-sweep': Record<string, never>;
  /** Create and email one-time sign-in links (ids only; the request does the same work for all). */
  'auth.sign-in-link': SignInLinkJob;
  /** Email a member of staff a one-time "set your password" link (enqueued when they are added). */
  'auth.staff-invitation': StaffInvitationJob;
  /** Make an uploaded photo upright and metadata-free, preview it, find the faces. */
  'media.ingest': { mediaId: string };
  /** Daily: archive last year's media and delete what has passed its retention (`media.retention`). */
  'media.retention': { schoolId?: string };
  /** Hourly: remove files and rows a crash left half-done. */
  'media.orphan-sweep': Record<string, never>;
  /** Daily: record the end of a consent year and open the renewal campaign (issue 3 item 7). */
  'consent.rollover': { schoolId?: string };
  /** Daily: remind parents who have not returned this year's consent form. */
  'consent.renewal-reminders': { schoolId?: string };
  /** Email the receipt of an online consent statement, unless it has gone already. */
  'consent.receipt-email': { recordId: string; schoolId: string };
  /** Hourly: checkpoint the audit chains' heads to the file store (ADR 0012). */
  'audit.checkpoint': Record<string, never>;
}

export const jobNames = [
  'policy.review-reminder',
  'people.import-preview',
  'people.import-commit',
  'auth.session-sweep',
  'auth.sign-in-link',
  'auth.staff-invitation',
  'media.ingest',
  'media.retention',
  'media.orphan-sweep',
  'consent.rollover',
  'consent.renewal-reminders',
  'consent.receipt-email',
  'audit.checkpoint',
] as const satisfies readonly (keyof JobPayloads)[];

export const jobSchedules: { name: (typeof jobNames)[number]; cron: string }[] = [
  { name: 'consent.rollover', cron: '10 6 * * *' },
  { name: 'consent.renewal-reminders', cron: '40 8 * * *' },
  { name: 'policy.review-reminder', cron: '0 7 * * *' },
  { name: 'auth.session-sweep', cron: '17 * * * *' },
  { name: 'media.retention', cron: '30 2 * * *' },
  { name: 'media.orphan-sweep', cron: '47 * * * *' },
  { name: 'audit.checkpoint', cron: '0 * * * *' },
];

export type JobHandlers = {
  [N in keyof JobPayloads & string]: (data: JobPayloads[N], jobId: string) => Promise<void>;
};

export function jobHandlers(services: Services): JobHandlers {
  return {
    'consent.rollover': async (data) => {
      await services.consentCampaigns.rollover(data.schoolId);
    },
    'consent.renewal-reminders': async (data) => {
      await services.consentCampaigns.sendReminders(data.schoolId);
    },
    'consent.receipt-email': async (data) => {
      await services.consentForm.sendReceiptEmail(data.schoolId, data.recordId);
    },
    'policy.review-reminder': async (data) => {
      await services.policies.sendReviewReminders(data.schoolId);
    },
    'people.import-preview': async (data) => {
      await services.imports.preview(data.importId);
    },
    'people.import-commit': async (data) => {
      await services.imports.commit(data.importId, data.actorId);
    },
    'audit.checkpoint': async () => {
      await services.audit.checkpoint('scheduled');
    },
    'auth.session-sweep': async () => {
      await services.auth.sweepExpiredSessions();
    },
    'auth.sign-in-link': async (data) => {
      await services.auth.sendSignInLinks(data);
    },
    'auth.staff-invitation': async (data) => {
      await services.auth.sendStaffInvitation(data);
    },
    'media.ingest': async (data) => {
      await services.media.ingest(data.mediaId);
    },
    'media.retention': async (data) => {
      await services.media.runRetention(data.schoolId);
    },
    'media.orphan-sweep': async () => {
      await services.media.sweepOrphans();
    },
  };
}
