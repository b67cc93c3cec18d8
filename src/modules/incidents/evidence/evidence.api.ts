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
      // Checked in the handler, after the case: a person who may not add evidence to it gets a
      // 404 whatever they sent, never a 400 that says the case exists.
      file: z
        .custom<UploadedFile>((v) => v === undefined || v instanceof UploadedFile, {
          error: 'Send the evidence as the file field',
        })
        .optional()
        .meta({
          type: 'string',
          format: 'binary',
          description:
            'Required. A screenshot or photo (JPEG, PNG, WebP), a PDF, a chat export as text, CSV, JSON or HTML, or a ZIP chat export',
        }),
      statedAt: z
        .unknown()
        .optional()
        .meta({ description: 'When it was posted, sent or seen, in the reporter’s words' }),
      statedPlace: z
        .unknown()
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
      const file = body.file;
      const discard = () =>
        file ? services.files.discard(file.tempName).catch(() => undefined) : undefined;
      if (principal.kind === 'org_admin') throw new NotFoundError();
      const evidence = services.incidentEvidence;
      // Who may add evidence to this case first: 404 (409 for an indecent-image report the
      // person may see) before anything they sent is looked at.
      if (!(await evidence.mayAttach(principal, params.id))) {
        await discard();
        const seen = await services.incidents.findVisible(principal, params.id);
        if (seen?.indecentImage) throw new ConflictError(NO_FILE_FOR_IMAGE_REPORT);
        throw new NotFoundError();
      }
      const fields = parseForm(addEvidenceForm, {
        statedAt: typeof body.statedAt === 'string' ? body.statedAt : undefined,
        statedPlace: typeof body.statedPlace === 'string' ? body.statedPlace : undefined,
      });
      const errors = fields.ok ? {} : { ...fields.errors };
      if (!file) errors.file = 'Send the evidence as the file field';
      else if (file.truncated)
        errors.file = `The file must be smaller than ${Math.round(config.uploadMaxBytes / 1024 / 1024)} MB`;
      if (!fields.ok || !file || Object.keys(errors).length > 0) {
        await discard();
        throw new ValidationError(errors);
      }
      claimUploads(request, [file]); // the service encrypts or discards it from here
      const { files } = await evidence.attachLater(principal, params.id, [file], {
        statedAt: fields.value.statedAt ?? null,
        statedPlace: fields.value.statedPlace ?? null,
      });
      return files[0]!;
    },
  });
}
