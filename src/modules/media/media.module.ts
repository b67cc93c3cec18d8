import { defineModule, type Services } from '../registry.ts';
import { MediaRepository } from './media.repository.ts';
import { MediaService } from './media.service.ts';
import { UploadSlotsRepository } from './upload-slots.repository.ts';
import { UploadSlotsService } from './upload-slots.service.ts';
import { mediaRoutes } from './media.routes.ts';
import { mediaApi } from './media.api.ts';
import { mediaJobs } from './media.jobs.ts';
import { canUseMediaLibrary } from './media.policy.ts';

declare module '../registry.ts' {
  interface ServiceRegistry {
    /** The media library: upload, ingest, tagging, renditions, quarantine, retention. */
    media: MediaService;
    /** Uploads running now, per person, counted across processes (web/uploads.ts). */
    uploadSlots: UploadSlotsService;
  }
}

export const mediaModule = defineModule({
  name: 'media',
  wire: (
    deps: Pick<
      Services,
      | 'database'
      | 'clock'
      | 'config'
      | 'jobs'
      | 'files'
      | 'images'
      | 'faces'
      | 'audit'
      | 'policies'
      | 'devices'
      | 'consent'
      | 'peopleDirectory'
    >,
  ) => ({
    media: new MediaService({
      database: deps.database,
      repository: new MediaRepository(),
      audit: deps.audit,
      clock: deps.clock,
      jobs: deps.jobs,
      files: deps.files,
      images: deps.images,
      faces: deps.faces,
      policies: deps.policies,
      devices: deps.devices,
      people: deps.peopleDirectory,
      consent: deps.consent,
      uploadMaxBytes: deps.config.uploadMaxBytes,
    }),
    uploadSlots: new UploadSlotsService({
      database: deps.database,
      repository: new UploadSlotsRepository(),
    }),
  }),
  routes: [mediaRoutes],
  api: [mediaApi],
  jobs: mediaJobs,
  navigation: [
    {
      href: '/media',
      text: 'Photos and videos',
      section: 'posts-and-photos',
      description: 'Upload photos and videos, tag the pupils in them and check their consent.',
      order: 70,
      visible: canUseMediaLibrary,
    },
  ],
});
