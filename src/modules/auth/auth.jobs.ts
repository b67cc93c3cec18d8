import { defineJobs } from '../registry.ts';
import type { SignInLinkJob } from './auth-sign-in-links.ts';
import type { StaffInvitationJob } from '../people/index.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Hourly: remove expired sessions and old sign-in attempts. */
    'auth.session-sweep': Record<string, never>;
    /** Create and email one-time sign-in links (ids only; the request does the same work for all). */
    'auth.sign-in-link': SignInLinkJob;
    /** Email a member of staff a one-time "set your password" link (enqueued when they are added). */
    'auth.staff-invitation': StaffInvitationJob;
  }
}

export const authJobs = defineJobs({
  'auth.session-sweep': {
    cron: '17 * * * *',
    run: async (services) => {
      await services.auth.sweepExpiredSessions();
    },
  },
  'auth.sign-in-link': {
    run: async (services, data) => {
      await services.auth.sendSignInLinks(data);
    },
  },
  'auth.staff-invitation': {
    run: async (services, data) => {
      await services.auth.sendStaffInvitation(data);
    },
  },
});
