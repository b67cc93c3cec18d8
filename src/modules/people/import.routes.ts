import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Services } from '../registry.ts';
import { ValidationError, type FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import { importStatusTags, importUploadRoutes } from '../../web/import-routes.ts';
import { staffOf, staffActor } from '../../web/principal.ts';
import type { ImportView } from './import.service.ts';
import { canImportPupils } from './people.policy.ts';
import {
  normaliseHeader,
  PUPIL_COLUMNS,
  PUPIL_FIELD_ORDER,
  PUPIL_ID_COLUMNS,
  PUPIL_ID_ORDER,
} from './mis-import/mis-columns.ts';

const idParams = z.object({ id: z.uuid() });

/** "Does this file list every pupil on roll?" (GOV.UK radios; nothing chosen is an error). */
const confirmForm = z.object({ roll: z.enum(['whole', 'partial']).optional().catch(undefined) });

/** Pupils on roll who are not in the file (older previews only had `possiblyLeft`). */
const notInFile = (view: ImportView): number =>
  view.preview?.counts ? (view.preview.counts.notInFile ?? view.preview.counts.possiblyLeft) : 0;

/** The accepted headings, from the same table the parser uses (mis-columns.ts). */
const columnGuide = [
  {
    label: 'Pupil id (one of these)',
    required: true,
    headings: PUPIL_ID_ORDER.flatMap((kind) => headingsOf(PUPIL_ID_COLUMNS[kind])).join(', '),
  },
  ...PUPIL_FIELD_ORDER.map((field) => ({
    label: PUPIL_COLUMNS[field].label,
    required: PUPIL_COLUMNS[field].required,
    headings: headingsOf(PUPIL_COLUMNS[field]).join(', '),
  })),
];

function headingsOf(spec: {
  canonical: string;
  sims: readonly string[];
  arbor: readonly string[];
  other: readonly string[];
}): string[] {
  const seen = new Set<string>();
  return [...spec.sims, ...spec.arbor, ...spec.other, spec.canonical].filter((h) => {
    const key = normaliseHeader(h);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const formatNumber = (n: unknown): string =>
  typeof n === 'number' ? n.toLocaleString('en-GB') : String(n ?? '');

const statusTags = importStatusTags;

/** What the import page needs besides the import itself. */
function importPage(view: ImportView) {
  const inProgress = ['uploaded', 'previewing', 'committing'].includes(view.status);
  const percent =
    view.progressTotal > 0
      ? Math.min(100, Math.floor((view.progressDone / view.progressTotal) * 100))
      : 0;
  return {
    title: `Pupil import: ${view.filename}`,
    imp: view,
    tag: statusTags[view.status],
    inProgress,
    percent,
    notInFile: notInFile(view),
    fmt: formatNumber,
  };
}

/** Pupil import from an MIS export: upload, progress and preview, confirm. */
export async function importRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const maxMb = Math.round(config.uploadMaxBytes / 1024 / 1024);

  const renderList = async (
    reply: FastifyReply,
    schoolId: string,
    errors?: FieldErrors,
  ): Promise<FastifyReply> => {
    const recent = await services.imports.listRecent(schoolId);
    return reply.page('people/views/imports.njk', {
      title: 'Import pupils',
      recent,
      statusTags,
      columnGuide,
      maxMb,
      fmt: formatNumber,
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/imports/pupils', { config: { access: canImportPupils } }, async (request, reply) => {
    const { schoolId } = staffOf(request.principal);
    return renderList(reply, schoolId);
  });

  importUploadRoutes(app, '/imports/pupils', {
    access: canImportPupils,
    uploadMaxBytes: config.uploadMaxBytes,
    files: services.files,
    defaultFilename: 'pupils.csv',
    imports: services.imports,
    renderList,
    renderImport: (reply, _schoolId, view) =>
      reply.page('people/views/import.njk', importPage(view)),
  });

  formRoute(app, '/imports/pupils/:id/confirm', {
    access: canImportPupils,
    who: staffOf,
    params: idParams,
    authorise: ({ who, params }) => services.imports.get(who.schoolId, params.id),
    form: confirmForm,
    act: async ({ who, params, found: view, value }) => {
      // "Try again" after a failure keeps the answer given when it was confirmed.
      const roll =
        value.roll ??
        (view.status === 'failed' && view.wholeRoll !== null
          ? view.wholeRoll
            ? 'whole'
            : 'partial'
          : undefined);
      // The question is asked only when some pupils on roll are not in the file.
      if (notInFile(view) > 0 && !roll) {
        throw new ValidationError({
          roll: 'Select whether the file lists every pupil on roll or only some pupils',
        });
      }
      await services.imports.requestCommit(who.schoolId, staffActor(who), params.id, {
        wholeRoll: roll === 'whole',
      });
    },
    done: (_, { params }) => ({
      redirect: `/imports/pupils/${params.id}`,
      flash: 'Import confirmed. Lanyard is saving the changes.',
    }),
    // Changed meanwhile (409): the import as it is now, the message beside the button.
    render: async (reply, { who, params, found: view, errors }) => {
      const conflict = reply.statusCode === 409;
      const shown = conflict ? await services.imports.get(who.schoolId, params.id) : view;
      return reply.page('people/views/import.njk', {
        ...importPage(shown),
        errors: conflict ? { confirm: errors._form } : errors,
      });
    },
  });
}
