import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Services } from '../registry.ts';
import { NotFoundError, ValidationError, type FieldErrors } from '../../errors.ts';
import { parseForm } from '../../web/forms.ts';
import { claimUploads, UploadedFile, uploadRouteLimits } from '../../web/uploads.ts';
import { flash } from '../../web/flash.ts';
import { formRoute } from '../../web/form-route.ts';
import type { Principal, StaffPrincipal } from '../auth/index.ts';
import { staffOf, staffActor } from '../../web/principal.ts';
import type { PupilScope } from '../people/index.ts';
import type { Actor } from '../audit/index.ts';
import { deviceTypeLabels } from '../devices/index.ts';
import {
  canTagMedia,
  canUploadMedia,
  canUseMediaLibrary,
  canViewRetentionReports,
  mayReachQuarantine,
} from './media.policy.ts';
import {
  addFaceForm,
  confirmForm,
  detailsForm,
  faceIdForm,
  linkFaceForm,
  pupilIdForm,
  renditionForm,
  uploadFields,
} from './media.forms.ts';
import { type RenditionBasisEntry, type UploadFile } from './media.service.ts';
import { buildTagPicker } from './pupil-picker.ts';

const idParams = z.object({ id: z.uuid() });
/** Files one upload may carry (the form's limit; each up to UPLOAD_MAX_MB). */
export const MAX_FILES_PER_UPLOAD = 20;
const renditionParams = z.object({
  id: z.uuid(),
  purpose: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
});
const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1) });

const here = path.dirname(fileURLToPath(import.meta.url));
const uploadScript = fs.readFileSync(path.join(here, 'assets/media-upload.js'));

function idOf(params: unknown): string {
  const parsed = idParams.safeParse(params);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data.id;
}

/**
 * Files from the multipart body: each streamed to a temporary file (web/uploads.ts). An empty
 * file input (no name, no bytes) is no file.
 */
function uploadsOf(body: unknown): UploadedFile[] {
  const out: UploadedFile[] = [];
  for (const v of Object.values((body as Record<string, unknown> | undefined) ?? {}))
    for (const f of Array.isArray(v) ? v : [v]) if (f instanceof UploadedFile) out.push(f);
  return out;
}

function filesOf(uploads: UploadedFile[]): UploadFile[] {
  return uploads
    .filter((f) => !(f.size === 0 && f.filename === ''))
    .map((f) => ({
      tempName: f.tempName,
      size: f.size,
      sha256: f.sha256,
      truncated: f.truncated,
      filename: f.filename,
    }));
}

/** The text fields of a multipart body (files removed). */
function fieldsOf(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((body as Record<string, unknown>) ?? {}))
    if (k !== 'files' && !(v instanceof UploadedFile)) out[k] = v;
  return out;
}

/** Where the numbered labels of the face boxes go (SVG attributes: the CSP allows no inline styles). */
function overlayFor(width: number, faces: { x: number; y: number; seq: number }[]) {
  const stroke = Math.max(2, Math.ceil(width / 300));
  const fontSize = Math.max(16, Math.ceil(width / 40));
  const labelH = Math.round(fontSize * 1.3);
  return {
    stroke,
    fontSize,
    boxes: faces.map((f) => {
      const labelY = Math.max(0, f.y - labelH);
      return {
        labelX: f.x,
        labelY,
        labelW: Math.round(fontSize * (f.seq < 10 ? 1.2 : f.seq < 100 ? 1.9 : 2.6)),
        labelH,
        textX: f.x + Math.round(fontSize * 0.25),
        textY: labelY + Math.round(fontSize * 1.05),
      };
    }),
  };
}

/**
 * The tagging page's pupil search (a GET form; the POST forms carry it back in hidden fields):
 * a name and a class, each at most 60 characters.
 */
const tagSearch = z.object({
  q: z
    .string()
    .trim()
    .max(60, 'Enter 60 characters or fewer to search for a pupil')
    .optional()
    .default(''),
  class: z.string().max(60).optional().catch(undefined).default(''),
});

function searchOf(query: unknown, body: unknown): { q: string; className: string; error?: string } {
  const fromBody = (body ?? {}) as Record<string, unknown>;
  const source = { ...((query ?? {}) as Record<string, unknown>) };
  for (const k of ['q', 'class'] as const)
    if (source[k] === undefined && typeof fromBody[k] === 'string') source[k] = fromBody[k];
  for (const k of ['q', 'class'] as const) if (typeof source[k] !== 'string') delete source[k];
  const parsed = tagSearch.safeParse(source);
  if (!parsed.success) {
    return { q: '', className: '', error: parsed.error.issues[0]?.message ?? 'Search again' };
  }
  return { q: parsed.data.q, className: parsed.data.class };
}

/** Back to the item page with the same search. */
function itemUrl(id: string, search: { q: string; className: string }): string {
  const params = new URLSearchParams();
  if (search.q) params.set('q', search.q);
  if (search.className) params.set('class', search.className);
  const qs = params.toString();
  return `/media/${id}${qs ? `?${qs}` : ''}`;
}

export const mediaStatusTags: Record<string, { text: string; classes: string }> = {
  processing: { text: 'Processing', classes: 'govuk-tag--blue' },
  ready: { text: 'Ready', classes: 'govuk-tag--green' },
  failed: { text: 'Failed', classes: 'govuk-tag--red' },
};

/** The media library: upload, library, item (tagging), renditions, quarantine, archive, retention. */
export async function mediaRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const media = services.media;
  const maxMb = Math.round(config.uploadMaxBytes / 1024 / 1024);

  // ------------------------------------------------------------------------------------------
  // Library, archive

  const library = (view: 'working' | 'archive') =>
    app.get(
      view === 'working' ? '/media' : '/media/archive',
      { config: { access: canUseMediaLibrary } },
      async (request, reply) => {
        const principal = staffOf(request.principal);
        const { schoolId } = principal;
        const { page } = pageQuery.parse(request.query ?? {});
        const [result, reviewer] = await Promise.all([
          media.list(schoolId, view, page),
          media.isQuarantineReviewer(principal),
        ]);
        return reply.page('media/views/library.njk', {
          title: view === 'working' ? 'Photos and videos' : 'Archived photos and videos',
          view,
          result,
          statusTags: mediaStatusTags,
          isReviewer: reviewer,
          canSeeRetention: canViewRetentionReports(principal),
        });
      },
    );
  library('working');
  library('archive');

  // ------------------------------------------------------------------------------------------
  // Upload

  const renderUpload = async (
    reply: FastifyReply,
    schoolId: string,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const devices = await services.devices.listApproved(schoolId);
    const deviceItems = [
      { value: '', text: 'Select a device' },
      ...devices.map((d) => ({
        value: d.id,
        text: `${d.name} (${deviceTypeLabels[d.deviceType as keyof typeof deviceTypeLabels] ?? d.deviceType}, ${d.assetTag})`,
        selected: values.deviceId === d.id,
      })),
      {
        value: 'other',
        text: 'Another device (not an approved school device)',
        selected: values.deviceId === 'other',
      },
    ];
    return reply.page('media/views/upload.njk', {
      title: 'Upload photos and videos',
      deviceItems,
      values,
      maxMb,
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/media/upload', { config: { access: canUploadMedia } }, async (request, reply) => {
    const { schoolId } = staffOf(request.principal);
    return renderUpload(reply, schoolId);
  });

  app.get('/media/upload.js', { config: { access: canUploadMedia } }, async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(uploadScript),
  );

  // UPLOAD_MAX_MB per file, at most MAX_FILES_PER_UPLOAD files; streamed to temporary files.
  const multipartOptions = uploadRouteLimits(config.uploadMaxBytes, MAX_FILES_PER_UPLOAD, 12);

  formRoute(app, '/media/upload', {
    access: canUploadMedia,
    config: { multipartOptions },
    who: staffOf,
    // The text fields, then the files; the files are claimed only once both pass.
    form: (body: unknown, request: FastifyRequest) => {
      const values = fieldsOf(body);
      const uploads = uploadsOf(body);
      const files = filesOf(uploads);
      const form = parseForm(uploadFields, values);
      const errors: FieldErrors = form.ok ? {} : { ...form.errors };
      if (files.length === 0) errors.files = 'Select at least one photo or video';
      if (!form.ok || files.length === 0) return { ok: false, errors, values };
      // From here the service commits or discards the files, whatever the client does.
      claimUploads(request, uploads);
      return { ok: true, value: { fields: form.value, files, values } };
    },
    // A refusal comes back as an answer: the upload script (assets/media-upload.js) takes JSON.
    act: async ({ who, value }) => {
      try {
        return {
          ok: true as const,
          results: await media.upload(who.schoolId, staffActor(who), value.fields, value.files),
        };
      } catch (e) {
        if (e instanceof ValidationError) return { ok: false as const, errors: e.fieldErrors };
        throw e;
      }
    },
    done: (answer, { value, reply }) => {
      const json = reply.request.headers.accept?.includes('application/json');
      if (!answer.ok) {
        if (json)
          return { page: (r: FastifyReply) => r.status(400).send({ errors: answer.errors }) };
        return { again: { status: 400, errors: answer.errors, values: value.values } };
      }
      const results = answer.results;
      const quarantined = results.filter((r) => r.quarantined).length;
      const n = results.length;
      const message = `${n} ${n === 1 ? 'file' : 'files'} uploaded.${quarantined ? ` ${quarantined === n ? (n === 1 ? 'It was' : 'They were') : `${quarantined} of them were`} not taken on an approved school device, so ${quarantined === 1 ? 'it is' : 'they are'} in quarantine until the Headteacher has reviewed ${quarantined === 1 ? 'it' : 'them'}.` : ' Photos are being processed: face boxes appear in a moment.'}`;
      const next = n === 1 ? `/media/${results[0]!.id}` : '/media';
      if (json)
        return {
          page: (r: FastifyReply) => {
            flash(r, message);
            return r.status(201).send({ items: results, next });
          },
        };
      return { redirect: next, flash: message };
    },
    render: (reply, { who, values, errors }) => renderUpload(reply, who.schoolId, values, errors),
  });

  // ------------------------------------------------------------------------------------------
  // Quarantine and retention reports (fixed paths before /media/:id)

  app.get(
    '/media/quarantine',
    { config: { access: mayReachQuarantine } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const { page } = pageQuery.parse(request.query ?? {});
      const result = await media.listQuarantine(principal, page);
      return reply.page('media/views/library.njk', {
        title: 'Quarantine',
        view: 'quarantine',
        result,
        statusTags: mediaStatusTags,
        isReviewer: true,
        canSeeRetention: canViewRetentionReports(principal),
      });
    },
  );

  app.get(
    '/media/retention',
    { config: { access: canViewRetentionReports } },
    async (request, reply) => {
      const { schoolId } = staffOf(request.principal);
      const current = await services.policies.current(schoolId);
      return reply.page('media/views/retention.njk', {
        title: 'Media retention reports',
        runs: await media.retentionRuns(schoolId),
        rules: current.settings.media.retention,
      });
    },
  );

  // ------------------------------------------------------------------------------------------
  // One item: the tagging page

  const renderItem = async (
    reply: FastifyReply,
    principal: Principal,
    id: string,
    extra: Record<string, unknown> = {},
  ) => {
    const { schoolId } = staffOf(principal);
    const search = searchOf(reply.request.query, reply.request.body);
    // The one pupil scope: only the pupils this person may see are named or offered.
    const scope = await services.staffClasses.scopeOf(principal);
    const [view, visible, purposes, reviewer] = await Promise.all([
      media.view(schoolId, id, scope),
      media.pickerPupils(scope),
      media.purposes(schoolId),
      media.isQuarantineReviewer(principal),
    ]);
    const uploader = view.item.uploadedBy;
    const uploaderClasses =
      uploader && uploader !== principal.id
        ? await services.staffClasses.classesOf(schoolId, uploader)
        : [];
    const picker = buildTagPicker({
      pupils: visible,
      taggedPupilIds: [
        ...view.faces.map((f) => f.pupilId).filter((x): x is string => !!x),
        ...view.pupilTags.map((t) => t.pupilId),
      ],
      ownClasses: scope.ownClasses.filter((c) => scope.includesClass(c)),
      uploaderClasses: uploaderClasses.filter((c) => scope.includesClass(c)),
      eventLabel: view.item.eventLabel,
      search: search.error ? null : search,
    });
    // Same-name pupils are told apart across everyone this person may see.
    for (const tagged of [...view.faces.map((f) => f.pupil), ...view.pupilTags]) {
      const choice = tagged && !tagged.hidden ? picker.choices.get(tagged.id) : undefined;
      if (tagged && choice) tagged.label = choice.label;
    }
    const errors = {
      ...(search.error ? { q: search.error } : {}),
      ...((extra.errors as Record<string, string> | undefined) ?? {}),
    };
    return reply.page('media/views/item.njk', {
      title: `${view.item.kind === 'video' ? 'Video' : 'Photo'}: ${view.item.eventLabel}`,
      ...view,
      overlay: overlayFor(view.item.width ?? 0, view.faces),
      picker: { likely: picker.likely, found: picker.found, classes: picker.classes },
      search,
      scopeKind: scope.kind,
      purposes,
      statusTags: mediaStatusTags,
      isReviewer: reviewer,
      canTag: canTagMedia(principal),
      values: {},
      ...extra,
      ...(Object.keys(errors).length ? { errors } : {}),
    });
  };

  app.get('/media/:id', { config: { access: canUseMediaLibrary } }, async (request, reply) => {
    const principal = staffOf(request.principal);
    const id = idOf(request.params);
    if (searchOf(request.query, undefined).error)
      return renderItem(reply.status(400), principal, id);
    return renderItem(reply, principal, id);
  });

  const fileRoute = (which: 'original' | 'preview') =>
    app.get(
      `/media/:id/${which}`,
      { config: { access: canUseMediaLibrary } },
      async (request, reply) => {
        const { schoolId } = staffOf(request.principal);
        const file = await media.file(schoolId, idOf(request.params), which);
        return reply
          .type(file.contentType)
          .header('content-length', file.size)
          .header('cache-control', 'private, no-store')
          .header('content-disposition', which === 'original' ? 'attachment' : 'inline')
          .send(file.stream);
      },
    );
  fileRoute('original');
  fileRoute('preview');

  /** A POST on the item page: parse, one service call, redirect back; or the page with errors. */
  const itemPost = <S extends z.ZodType>(
    url: string,
    schema: S,
    run: (
      schoolId: string,
      actor: Actor,
      id: string,
      value: z.output<S>,
      scope: PupilScope,
    ) => Promise<string>,
  ) =>
    formRoute(app, url, {
      access: canTagMedia,
      who: staffOf,
      params: idParams,
      form: schema,
      act: async ({ who, params, value }) => {
        const scope = await services.staffClasses.scopeOf(who);
        return run(who.schoolId, staffActor(who), params.id, value, scope);
      },
      // Back to the item, keeping the library search the page was reached from.
      done: (message, { params, reply }) => {
        const search = searchOf({}, reply.request.body);
        return {
          redirect: search.error ? `/media/${params.id}` : itemUrl(params.id, search),
          flash: message,
        };
      },
      render: (reply, { who, params, values, errors }) =>
        renderItem(reply, who, params.id, {
          errors: reply.statusCode === 409 ? { item: errors._form } : errors,
          values,
        }),
    });

  itemPost('/media/:id/details', detailsForm, async (schoolId, actor, id, v) => {
    await media.updateDetails(schoolId, actor, id, v);
    return 'The details are saved.';
  });
  itemPost('/media/:id/faces/add', addFaceForm, async (schoolId, actor, id, v) => {
    await media.addFace(schoolId, actor, id, v);
    return 'The face box is added.';
  });
  itemPost('/media/:id/faces/remove', faceIdForm, async (schoolId, actor, id, v, scope) => {
    await media.removeFace(schoolId, actor, id, v.faceId, scope);
    return 'The face box is removed.';
  });
  itemPost('/media/:id/faces/link', linkFaceForm, async (schoolId, actor, id, v, scope) => {
    await media.linkFace(schoolId, actor, id, v.faceId, v.pupilId || null, scope);
    return v.pupilId
      ? 'The face is linked to the pupil.'
      : 'The face is no longer linked to a pupil.';
  });
  itemPost('/media/:id/pupils/add', pupilIdForm, async (schoolId, actor, id, v, scope) => {
    await media.tagPupil(schoolId, actor, id, v.pupilId, scope);
    return 'The pupil is tagged.';
  });
  itemPost('/media/:id/pupils/remove', pupilIdForm, async (schoolId, actor, id, v, scope) => {
    await media.untagPupil(schoolId, actor, id, v.pupilId, scope);
    return 'The tag is removed.';
  });

  // ------------------------------------------------------------------------------------------
  // Publishable renditions

  formRoute(app, '/media/:id/renditions', {
    access: canTagMedia,
    who: staffOf,
    params: idParams,
    form: renditionForm,
    // Not publishable (MediaNotPublishableError is a ConflictError): 409, beside the purpose.
    act: ({ who, params, value }) =>
      media.publishableRendition(who.schoolId, params.id, value.purpose, staffActor(who)),
    done: (_, { params, value }) => ({
      redirect: `/media/${params.id}/renditions/${value.purpose}`,
    }),
    render: (reply, { who, params, values, errors }) =>
      renderItem(reply, who, params.id, {
        errors: reply.statusCode === 409 ? { purpose: errors._form } : errors,
        values,
      }),
  });

  app.get(
    '/media/:id/renditions/:purpose',
    { config: { access: canTagMedia } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const { schoolId } = principal;
      const params = renditionParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const { id, purpose } = params.data;
      const scope = await services.staffClasses.scopeOf(principal);
      const [view, purposes] = await Promise.all([
        media.view(schoolId, id, scope),
        media.purposes(schoolId),
      ]);
      const rendition = await media.rendition(schoolId, id, purpose);
      // A face linked to a pupil this person may not see: no reason (it names parents).
      const hidden = new Set(view.faces.filter((f) => f.pupil?.hidden).map((f) => f.pupilId));
      const basis = (rendition.basis as RenditionBasisEntry[]).map((b) =>
        b.pupilId && hidden.has(b.pupilId)
          ? { ...b, reason: 'Linked to a pupil who is not in your classes.' }
          : b,
      );
      return reply.page('media/views/rendition.njk', {
        title: `Publishable copy for ${purposes.find((p) => p.key === purpose)?.label ?? purpose}`,
        ...view,
        rendition: { ...rendition, basis },
        purposeLabel: purposes.find((p) => p.key === purpose)?.label ?? purpose,
      });
    },
  );

  app.get(
    '/media/:id/renditions/:purpose/file',
    { config: { access: canTagMedia } },
    async (request, reply) => {
      const { schoolId } = staffOf(request.principal);
      const params = renditionParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const file = await media.renditionFile(schoolId, params.data.id, params.data.purpose);
      const download = (request.query as Record<string, unknown> | undefined)?.download === '1';
      return reply
        .type(file.contentType)
        .header('content-length', file.size)
        .header('cache-control', 'private, no-store')
        .header(
          'content-disposition',
          download ? `attachment; filename="lanyard-${params.data.purpose}.jpg"` : 'inline',
        )
        .send(file.stream);
    },
  );

  // ------------------------------------------------------------------------------------------
  // Quarantine review and deletion (the device approver; 404 for everyone else)

  const quarantineReviewer = async ({ who }: { who: StaffPrincipal }) => {
    if (!(await media.isQuarantineReviewer(who))) throw new NotFoundError();
  };

  formRoute(app, '/media/:id/release', {
    access: mayReachQuarantine,
    who: staffOf,
    params: idParams,
    authorise: quarantineReviewer,
    form: z.object({}),
    act: ({ who, params }) => media.release(who, params.id),
    done: (_, { params }) => ({
      redirect: `/media/${params.id}`,
      flash: 'Released from quarantine. It is now in the library.',
    }),
    // Changed meanwhile (409): the message beside the review buttons.
    render: (reply, { who, params, errors }) =>
      renderItem(reply, who, params.id, { errors: { review: Object.values(errors).join(' ') } }),
  });

  formRoute(app, '/media/:id/delete', {
    access: mayReachQuarantine,
    who: staffOf,
    params: idParams,
    authorise: quarantineReviewer,
    form: confirmForm,
    act: async ({ who, params }) => {
      const view = await media.view(who.schoolId, params.id);
      await media.delete(who, params.id);
      return view;
    },
    done: (view) => ({
      redirect: view.item.quarantineReason ? '/media/quarantine' : '/media',
      flash: 'Deleted, with every copy of it.',
    }),
    render: (reply, { who, params, errors }) =>
      renderItem(reply, who, params.id, {
        errors:
          reply.statusCode === 409
            ? { review: Object.values(errors).join(' ') }
            : { confirm: 'Confirm that you want to delete it for good' },
      }),
  });
}
