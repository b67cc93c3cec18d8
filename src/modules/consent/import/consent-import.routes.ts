import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../../../config.ts';
import type { Services } from '../../registry.ts';
import type { FieldErrors } from '../../../errors.ts';
import { z } from 'zod';
import { formRoute } from '../../../web/form-route.ts';
import { importStatusTags, importUploadRoutes } from '../../../web/import-routes.ts';
import { staffOf, staffActor } from '../../../web/principal.ts';
import { formatCitation, type PolicySettings } from '../../policies/index.ts';
import { canImportConsentAs, mayReachConsentKeeping } from '../consent.policy.ts';
import { keeperAccess } from '../consent-keeper.ts';
import {
  consentKeysFor,
  consentMethodLabels,
  recordablePeriods,
} from '../register/consent-rules.ts';
import { COLUMN_ALIASES } from './consent-import.parse.ts';
import { consentImportParamsSchema } from './consent-import.forms.ts';
import { answersText, keyLabel, type ConsentImportView } from './consent-import.service.ts';
import { ukDate } from '../../../platform/clock.ts';

const statusTags = importStatusTags;

/** How many new statements the preview lists in full. */
const PREVIEW_ROWS = 200;

/** The accepted columns, from the parser's own alias table, plus this school's consent columns. */
function columnGuide(settings: PolicySettings, today: string) {
  const periods = recordablePeriods(settings, today).map((p) => p.key);
  const list = (names: readonly string[]) => names.join(', ');
  return {
    rows: [
      { label: 'Pupil id', needed: 'Required', headings: list(COLUMN_ALIASES.pupilId) },
      {
        label: 'Parent email or parent MIS id',
        needed: 'One of these, or “Decided by”',
        headings: `${list(COLUMN_ALIASES.parentEmail)}; ${list(COLUMN_ALIASES.parentId)}`,
      },
      {
        label: 'Decided by',
        needed: 'Optional',
        headings: `${list(COLUMN_ALIASES.decidedBy)} (write “pupil” for a pupil assessed as competent)`,
      },
      {
        label: 'Period',
        needed: 'Optional',
        headings: `${list(COLUMN_ALIASES.period)} (${periods.join(' or ')}; blank means ${periods[0]})`,
      },
      {
        label: 'Date on form',
        needed: 'Required for yes or no',
        headings: `${list(COLUMN_ALIASES.date)} (dd/mm/yyyy)`,
      },
      {
        label: 'Method',
        needed: 'Optional',
        headings: `${list(COLUMN_ALIASES.method)} (paper form, online form, letter, email)`,
      },
      { label: 'Note', needed: 'Optional', headings: list(COLUMN_ALIASES.note) },
    ],
    consentColumns: consentKeysFor(settings).map((key) => ({
      heading: key.replace('/', ' '),
      label: keyLabel(settings, key),
    })),
    periods,
  };
}

/** Import existing consents from a spreadsheet: upload, preview with row errors, confirm. */
export async function consentImportRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const maxMb = Math.round(config.uploadMaxBytes / 1024 / 1024);
  // The managers, or the profile's record keeper (a role or a responsibility): staff pass
  // `access`, then the keeper rule is asked before the body (the CSV file) is read.
  const imports = {
    access: mayReachConsentKeeping,
    schoolAccess: keeperAccess(canImportConsentAs),
  };

  const renderList = async (
    reply: FastifyReply,
    schoolId: string,
    errors?: FieldErrors,
  ): Promise<FastifyReply> => {
    const [recent, settings] = await Promise.all([
      services.consentImports.listRecent(schoolId),
      services.consent.settings(schoolId),
    ]);
    return reply.page('consent/import/views/import-list.njk', {
      title: 'Import consents',
      recent,
      statusTags,
      guide: columnGuide(settings, ukDate(services.clock.now())),
      modelCitation: formatCitation(settings.consent.model.citation),
      maxMb,
      ...(errors ? { errors } : {}),
    });
  };

  const renderImport = async (
    reply: FastifyReply,
    schoolId: string,
    view: ConsentImportView,
    errors?: FieldErrors,
  ) => {
    const settings = await services.consent.settings(schoolId);
    const fresh = (view.preview?.statements ?? []).filter((s) => !s.unchanged);
    return reply.page('consent/import/views/import-preview.njk', {
      title: `Consent import: ${view.filename}`,
      imp: view,
      tag: statusTags[view.status],
      inProgress: ['uploaded', 'previewing', 'committing'].includes(view.status),
      newRows: fresh.slice(0, PREVIEW_ROWS).map((s) => ({
        line: s.line,
        pupil: s.pupilName,
        decider: s.deciderName,
        period: s.periodKey,
        decidedOn: s.decidedOn,
        method: consentMethodLabels[s.method],
        answers: answersText(settings, s.decisions),
      })),
      moreNew: Math.max(0, fresh.length - PREVIEW_ROWS),
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/consent/imports', { config: imports }, async (request, reply) => {
    const { schoolId } = staffOf(request.principal);
    return renderList(reply, schoolId);
  });

  importUploadRoutes(app, '/consent/imports', {
    ...imports,
    uploadMaxBytes: config.uploadMaxBytes,
    files: services.files,
    defaultFilename: 'consents.csv',
    imports: services.consentImports,
    renderList,
    renderImport: (reply, schoolId, view) => renderImport(reply, schoolId, view),
  });

  formRoute(app, '/consent/imports/:id/confirm', {
    access: imports.access,
    config: { schoolAccess: imports.schoolAccess },
    who: staffOf,
    params: consentImportParamsSchema,
    form: z.object({}),
    act: ({ who, params }) =>
      services.consentImports.requestCommit(who.schoolId, staffActor(who), params.id),
    done: (_, { params }) => ({
      redirect: `/consent/imports/${params.id}`,
      flash: 'Import confirmed. Lanyard is recording the consents.',
    }),
    // Changed meanwhile (409): the import as it is now, the message beside the button.
    render: async (reply, { who, params, errors }) => {
      const view = await services.consentImports.get(who.schoolId, params.id);
      return renderImport(reply, who.schoolId, view, { confirm: Object.values(errors).join(' ') });
    },
  });
}
