import { defineJobs } from '../registry.ts';

declare module '../registry.ts' {
  interface JobRegistry {
    /** Make an uploaded photo upright and metadata-free, preview it, find the faces. */
    'media.ingest': { mediaId: string };
    /** Archive last year's media and delete what has passed its retention (`media.retention`); run daily by 'retention.sweep'. */
    'media.retention': { schoolId?: string };
    /** Hourly: remove files and rows a crash left half-done. */
    'media.orphan-sweep': Record<string, never>;
  }
}

export const mediaJobs = defineJobs({
  'media.ingest': {
    run: async (services, data) => {
      await services.media.ingest(data.mediaId);
    },
  },
  'media.retention': {
    // No schedule of its own: the daily retention sweep (subject-access.jobs.ts, 'retention.sweep')
    // runs it first, so photos and every other record type are reported together.
    run: async (services, data) => {
      await services.media.runRetention(data.schoolId);
    },
  },
  'media.orphan-sweep': {
    cron: '47 * * * *',
    run: async (services) => {
      await services.media.sweepOrphans();
    },
  },
});
