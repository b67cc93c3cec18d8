import { defineJobs } from '../../registry.ts';

declare module '../../registry.ts' {
  interface JobRegistry {
    /** Email a letter made for an incident, with its PDF (once). */
    'incidents.letter-email': { letterId: string };
  }
}

export const letterJobs = defineJobs({
  'incidents.letter-email': {
    run: async (services, data) => {
      await services.incidentLetters.emailLetter(data.letterId);
    },
  },
});
