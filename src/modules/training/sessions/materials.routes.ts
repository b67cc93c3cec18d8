import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../../../config.ts';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute, type FormRead } from '../../../web/form-route.ts';
import { claimUploads, UploadedFile, uploadRouteLimits } from '../../../web/uploads.ts';
import { staffActor, staffOf } from '../../../web/principal.ts';
import { canManageTraining, canViewTraining } from '../training.policy.ts';
import { idParams } from '../training.forms.ts';
import { MATERIAL_MAX_BYTES } from './materials.service.ts';

/** An ASCII-safe download name, with the UTF-8 name beside it (RFC 6266). */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^A-Za-z0-9 ._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** The "add a file" form: a title (the download's name) and one file. */
function readMaterialForm(
  body: unknown,
  request: Parameters<typeof claimUploads>[0],
): FormRead<{ title: string; file: UploadedFile }> {
  const b = (body ?? {}) as Record<string, unknown>;
  const title = typeof b.title === 'string' ? b.title.trim() : '';
  const file =
    b.file instanceof UploadedFile && !(b.file.size === 0 && b.file.filename === '')
      ? b.file
      : null;
  const errors: FieldErrors = {};
  if (!title) errors.title = 'Enter a title for the file';
  else if (title.length > 100) errors.title = 'The title must be 100 characters or fewer';
  else if (!/^[\p{L}\p{N} .,'’()&-]+$/u.test(title))
    errors.title = 'The title can only contain letters, numbers, spaces and . , ’ ( ) & -';
  if (!file) errors.file = 'Select a file';
  else if (file.truncated || file.size > MATERIAL_MAX_BYTES)
    errors.file = 'The file must be smaller than 20 MB';
  if (Object.keys(errors).length > 0 || !file) return { ok: false, errors, values: { title } };
  claimUploads(request, [file]);
  return { ok: true, value: { title, file } };
}

/** A session's materials: add a file (those who run training), download it (any staff). */
export async function materialsRoutes(
  app: FastifyInstance,
  { services }: { services: Services; config: Config },
) {
  const materials = services.trainingMaterials;

  const renderNew = async (
    reply: FastifyReply,
    schoolId: string,
    sessionId: string,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const session = await services.training.getSession(schoolId, sessionId);
    return reply.page('training/views/new-material.njk', {
      title: `Add a file to ${session.title}`,
      session,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/training/sessions/:id/materials/new',
    { config: { access: canManageTraining } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const p = idParams.safeParse(request.params);
      if (!p.success) throw new NotFoundError();
      return renderNew(reply, who.schoolId, p.data.id, {});
    },
  );

  formRoute(app, '/training/sessions/:id/materials', {
    access: canManageTraining,
    config: { multipartOptions: uploadRouteLimits(MATERIAL_MAX_BYTES, 1, 5) },
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await services.training.getSession(who.schoolId, params.id);
    },
    form: readMaterialForm,
    act: ({ who, params, value }) =>
      materials.add(who.schoolId, staffActor(who), params.id, {
        title: value.title,
        tempName: value.file.tempName,
        size: value.file.size,
      }),
    done: (row, { params }) => ({
      redirect: `/training/sessions/${params.id}`,
      flash: `${row.filename} is added.`,
    }),
    render: (reply, { who, params, values, errors }) =>
      renderNew(reply, who.schoolId, params.id, values, errors),
  });

  app.get(
    '/training/materials/:id',
    { config: { access: canViewTraining } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      const p = idParams.safeParse(request.params);
      if (!p.success) throw new NotFoundError();
      const { row, stream } = await materials.open(who.schoolId, staffActor(who), p.data.id);
      return reply
        .header('Content-Type', row.contentType)
        .header('Content-Disposition', attachment(row.filename))
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'private, no-store')
        .send(stream);
    },
  );
}
