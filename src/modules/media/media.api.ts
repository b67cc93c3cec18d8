import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Services } from '../registry.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import { parseForm } from '../../web/forms.ts';
import { claimUploads, UploadedFile, uploadRouteLimits } from '../../web/uploads.ts';
import type { Principal } from '../auth/index.ts';
import { canUploadMedia, canUseMediaLibrary } from './media.policy.ts';
import { uploadFields } from './media.forms.ts';

const mediaItemSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['image', 'video']),
  status: z.enum(['processing', 'ready', 'failed']),
  eventLabel: z.string(),
  quarantined: z.boolean(),
  swimwear: z.boolean(),
  evidenceOfAchievement: z.boolean(),
  archived: z.boolean(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  facesDetected: z.number().int().nullable(),
  faceBoxes: z.number().int(),
  taggedPupils: z.number().int(),
  uploadedAt: z.string(),
  academicYear: z.string(),
});

function staff(p: Principal): { schoolId: string; id: string } {
  if (p.kind !== 'staff') throw new NotFoundError();
  return { schoolId: p.schoolId, id: p.id };
}

/** The media endpoints of the JSON API (registered by web/api.ts, so they are in the OpenAPI). */
export function mediaApi(
  app: FastifyInstance,
  api: ApiRegistry,
  services: Services,
  config: Config,
): void {
  api.add(app, {
    method: 'POST',
    url: '/api/v1/media',
    summary:
      'Upload one photo or video (multipart/form-data). From an unapproved device it goes to quarantine.',
    access: canUploadMedia,
    // One file of at most UPLOAD_MAX_MB, streamed to a temporary file (web/uploads.ts).
    multipart: uploadRouteLimits(config.uploadMaxBytes, 1, 10),
    body: z.object({
      file: z
        .custom<UploadedFile>((v) => v instanceof UploadedFile, {
          error: 'Send the photo or video as the file field',
        })
        .meta({ type: 'string', format: 'binary', description: 'The photo or video' }),
      deviceId: z.string().meta({
        description:
          'A registered device id, or "other" with deviceDescription (goes to quarantine)',
      }),
      deviceDescription: z.string().optional(),
      eventLabel: z
        .string()
        .meta({ description: 'A general label such as "sports day"; never a pupil’s name' }),
      swimwear: z
        .enum(['yes', 'no'])
        .optional()
        .meta({ description: '"yes": swimming or swimwear (never publishable)' }),
    }),
    response: z.object({
      id: z.uuid(),
      kind: z.enum(['image', 'video']),
      quarantined: z.boolean(),
    }),
    handler: async ({ principal, body, request }) => {
      const who = staff(principal);
      const fields = parseForm(uploadFields, {
        deviceId: body.deviceId,
        deviceDescription: body.deviceDescription,
        eventLabel: body.eventLabel,
        swimwear: body.swimwear === 'yes' ? 'yes' : undefined,
      });
      if (!fields.ok) throw new ValidationError(fields.errors);
      const file = body.file;
      claimUploads(request, [file]); // the service commits or discards it from here
      const [result] = await services.media.upload(
        who.schoolId,
        { kind: 'staff', id: who.id },
        fields.value,
        [
          {
            tempName: file.tempName,
            size: file.size,
            sha256: file.sha256,
            truncated: file.truncated,
            filename: file.filename,
          },
        ],
      );
      return result!;
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/media/:id',
    summary: 'One photo or video: status, flags, faces found and pupils tagged (never the file)',
    access: canUseMediaLibrary,
    params: z.object({ id: z.uuid() }),
    response: mediaItemSchema,
    handler: async ({ principal, params }) => {
      const v = await services.media.view(staff(principal).schoolId, params.id);
      const i = v.item;
      return {
        id: i.id,
        kind: i.kind as 'image' | 'video',
        status: i.status as 'processing' | 'ready' | 'failed',
        eventLabel: i.eventLabel,
        quarantined: i.quarantineReason !== null,
        swimwear: i.swimwear,
        evidenceOfAchievement: i.evidenceOfAchievement,
        archived: i.archivedAt !== null,
        width: i.width,
        height: i.height,
        facesDetected: i.detectedFaces,
        faceBoxes: v.faces.length,
        taggedPupils: v.taggedPupils,
        uploadedAt: i.uploadedAt.toISOString(),
        academicYear: i.academicYear,
      };
    },
  });
}
