import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Daily: email the Headteacher as a school's policy review date approaches. */
    'policy.review-reminder': { schoolId?: string };
  }
}

export const policiesJobs = defineJobs({
  'policy.review-reminder': {
    cron: '0 7 * * *',
    run: async (services, data) => {
      await services.policies.sendReviewReminders(data.schoolId);
    },
  },
});
