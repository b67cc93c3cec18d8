import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { FileStore } from '../platform/files/file-store.ts';
import type { ImportStatus } from '../platform/imports/import-pipeline.ts';
import { NotFoundError, type FieldErrors } from '../errors.ts';
import type { Actor } from '../modules/audit/index.ts';
import type { Access } from './access.ts';
import type { SchoolAccess } from './school-access.ts';
import { formRoute } from './form-route.ts';
import { csvUploadForm, uploadLimits } from './forms.ts';
import { staffActor, staffOf } from './principal.ts';

/** An import's status as every import's pages show it (GOV.UK tags, in words). */
export const importStatusTags: Record<ImportStatus, { text: string; classes: string }> = {
  uploaded: { text: 'Checking', classes: 'govuk-tag--blue' },
  previewing: { text: 'Checking', classes: 'govuk-tag--blue' },
  previewed: { text: 'Ready to confirm', classes: 'govuk-tag--orange' },
  rejected: { text: 'Not imported', classes: 'govuk-tag--red' },
  committing: { text: 'Importing', classes: 'govuk-tag--blue' },
  committed: { text: 'Imported', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
};

const idParams = z.object({ id: z.uuid() });

/**
 * The two routes every kind of import has alike (platform/imports): POST `path`, one CSV file
 * (`csvUploadForm`; a bad file shows the list page again with the message) that starts an import
 * and goes to its page; and GET `path/:id`, that page (404 for an id not of the person's school).
 * The list page, the confirm and the views stay the module's.
 */
export function importUploadRoutes<View>(
  app: FastifyInstance,
  path: string,
  spec: {
    access: Exclude<Access, 'public'>;
    /**
     * A check the school's profile decides (e.g. the consent record keeper), asked after `access`
     * and before the body is read (app.ts checks it with `config.access`).
     */
    schoolAccess?: SchoolAccess;
    uploadMaxBytes: number;
    files: Pick<FileStore, 'readTemp' | 'discard'>;
    /** The file name kept when the upload has none (e.g. 'pupils.csv'). */
    defaultFilename: string;
    imports: {
      upload(
        schoolId: string,
        actor: Actor,
        file: { filename: string; data: Buffer },
      ): Promise<string>;
      get(schoolId: string, importId: string): Promise<View>;
    };
    renderList(
      reply: FastifyReply,
      schoolId: string,
      errors?: FieldErrors,
    ): FastifyReply | Promise<FastifyReply>;
    renderImport(
      reply: FastifyReply,
      schoolId: string,
      view: View,
    ): FastifyReply | Promise<FastifyReply>;
  },
): void {
  formRoute(app, path, {
    access: spec.access,
    config: {
      multipartOptions: uploadLimits(spec.uploadMaxBytes),
      ...(spec.schoolAccess ? { schoolAccess: spec.schoolAccess } : {}),
    },
    who: staffOf,
    form: csvUploadForm(spec.uploadMaxBytes, spec.files),
    act: ({ who, value }) =>
      spec.imports.upload(who.schoolId, staffActor(who), {
        filename: value.filename || spec.defaultFilename,
        data: value.data,
      }),
    done: (id) => ({ redirect: `${path}/${id}` }),
    render: (reply, { who, errors }) => spec.renderList(reply, who.schoolId, errors),
  });

  const config = {
    access: spec.access,
    ...(spec.schoolAccess ? { schoolAccess: spec.schoolAccess } : {}),
  };
  app.get(`${path}/:id`, { config }, async (request, reply) => {
    const { schoolId } = staffOf(request.principal);
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    return spec.renderImport(reply, schoolId, await spec.imports.get(schoolId, params.data.id));
  });
}

/**
 * POST `path/:id/confirm` for an import whose confirm takes no answers (PlainImportService: the
 * staff list, training attendance): the import must be the person's school's (else 404), the
 * commit job is queued, and the import's page follows with `flash`; a refusal (e.g. the preview
 * found problems) shows the import's page again with the message.
 */
export function importConfirmRoute<View>(
  app: FastifyInstance,
  path: string,
  spec: {
    access: Exclude<Access, 'public'>;
    imports: {
      get(schoolId: string, importId: string): Promise<View>;
      requestCommit(schoolId: string, actor: Actor, importId: string): Promise<void>;
    };
    /** What the import's page says once confirmed (e.g. 'Lanyard is updating the staff list.'). */
    flash: string;
    renderImport(
      reply: FastifyReply,
      view: View,
      errors: FieldErrors,
    ): FastifyReply | Promise<FastifyReply>;
  },
): void {
  formRoute(app, `${path}/:id/confirm`, {
    access: spec.access,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params: p }) => {
      await spec.imports.get(who.schoolId, p.id);
    },
    form: z.object({}),
    act: ({ who, params: p }) => spec.imports.requestCommit(who.schoolId, staffActor(who), p.id),
    done: (_, { params: p }) => ({ redirect: `${path}/${p.id}`, flash: spec.flash }),
    render: async (reply, { who, params: p, errors }) =>
      spec.renderImport(reply, await spec.imports.get(who.schoolId, p.id), {
        confirm: Object.values(errors).join(' '),
      }),
  });
}
