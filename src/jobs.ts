import type { Services } from './container.ts';

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
  /** Hourly: remove expired sessions. */
  'auth.session-sweep': Record<string, never>;
}

export const jobNames = [
  'policy.review-reminder',
  'people.import-preview',
  'people.import-commit',
  'auth.session-sweep',
] as const satisfies readonly (keyof JobPayloads)[];

export const jobSchedules: { name: (typeof jobNames)[number]; cron: string }[] = [
  { name: 'policy.review-reminder', cron: '0 7 * * *' },
  { name: 'auth.session-sweep', cron: '17 * * * *' },
];

export type JobHandlers = {
  [N in keyof JobPayloads & string]: (data: JobPayloads[N], jobId: string) => Promise<void>;
};

export function jobHandlers(services: Services): JobHandlers {
  return {
    'policy.review-reminder': async (data) => {
      await services.policies.sendReviewReminders(data.schoolId);
    },
    'people.import-preview': async (data) => {
      await services.imports.preview(data.importId);
    },
    'people.import-commit': async (data) => {
      await services.imports.commit(data.importId, data.actorId);
    },
    'auth.session-sweep': async () => {
      await services.auth.sweepExpiredSessions();
    },
  };
}
