import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../../config.ts';
import type { Services } from '../../registry.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../../errors.ts';
import type { ApiRegistry } from '../../../web/api-registry.ts';
import { parseForm } from '../../../web/forms.ts';
import { claimUploads, UploadedFile, uploadRouteLimits } from '../../../web/uploads.ts';
import { mayReachCases } from '../incidents.policy.ts';
import { addEvidenceForm } from './evidence.forms.ts';
import { NO_FILE_FOR_IMAGE_REPORT } from './evidence.service.ts';

/**
 * Evidence through the JSON API: one file a request, multipart. The same rules as the page: the
 * staff who may open the case, never for a report of a nude or semi-nude image of a child (404
 * for a case the token's person may not see, 409 for an image report), the file checked from its
 * bytes (400 problem JSON naming the reason).
 */
export function evidenceApi(
  app: FastifyInstance,
  api: ApiRegistry,
  services: Services,
  config: Config,
): void {
  api.add(app, {
    method: 'POST',
    url: '/api/v1/incidents/:id/evidence',
    summary:
      'Add one evidence file to an incident (multipart/form-data): checked from its bytes, encrypted at rest, its SHA-256 recorded. Refused (409) for a report of a nude or semi-nude image of a child.',
    access: mayReachCases,
    multipart: uploadRouteLimits(config.uploadMaxBytes, 1, 10),
    params: z.object({ id: z.uuid() }),
    body: z.object({
      file: z
        .custom<UploadedFile>((v) => v instanceof UploadedFile, {
          error: 'Send the evidence as the file field',
        })
        .meta({
          type: 'string',
          format: 'binary',
          description:
            'A screenshot or photo (JPEG, PNG, WebP), a PDF, a chat export as text, CSV, JSON or HTML, or a ZIP chat export',
        }),
      statedAt: z
        .string()
        .optional()
        .meta({ description: 'When it was posted, sent or seen, in the reporter’s words' }),
      statedPlace: z
        .string()
        .optional()
        .meta({ description: 'Where: the app, group, page or account, in the reporter’s words' }),
    }),
    response: z.object({
      id: z.uuid(),
      sha256: z.string().meta({ description: 'SHA-256 of the file as received, hex' }),
      size: z.number().int(),
      mediaType: z.string(),
    }),
    handler: async ({ principal, params, body, request }) => {
      if (principal.kind === 'org_admin') throw new NotFoundError();
      const fields = parseForm(addEvidenceForm, {
        statedAt: body.statedAt,
        statedPlace: body.statedPlace,
      });
      const file = body.file;
      if (!fields.ok) throw new ValidationError(fields.errors);
      if (file.truncated)
        throw new ValidationError({
          file: `The file must be smaller than ${Math.round(config.uploadMaxBytes / 1024 / 1024)} MB`,
        });
      claimUploads(request, [file]); // the service encrypts or discards it from here
      const evidence = services.incidentEvidence;
      // An indecent-image report the person may see: 409 with the reason; otherwise 404.
      if (!(await evidence.mayAttach(principal, params.id))) {
        await services.files.discard(file.tempName).catch(() => undefined);
        const seen = await services.incidents.findVisible(principal, params.id);
        if (seen?.indecentImage) throw new ConflictError(NO_FILE_FOR_IMAGE_REPORT);
        throw new NotFoundError();
      }
      const { files } = await evidence.attachLater(principal, params.id, [file], {
        statedAt: fields.value.statedAt ?? null,
        statedPlace: fields.value.statedPlace ?? null,
      });
      return files[0]!;
    },
  });
}
