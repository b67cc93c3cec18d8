import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from '../../../config.ts';
import type { Services } from '../../registry.ts';
import type { FieldErrors } from '../../../errors.ts';
import {
  importConfirmRoute,
  importStatusTags,
  importUploadRoutes,
} from '../../../web/import-routes.ts';
import { staffOf } from '../../../web/principal.ts';
import { canManageTraining } from '../training.policy.ts';
import { kindLabel, staffKinds } from '../training-status.ts';
import { COLUMN_ALIASES } from './attendance-import.parse.ts';
import type { AttendanceImportView } from './attendance-import.service.ts';

const statusTags = importStatusTags;

/** Attendance from a CSV sign-in sheet: upload, preview with row errors, confirm. */
export async function attendanceImportRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const imports = services.trainingImports;
  const maxMb = Math.round(config.uploadMaxBytes / 1024 / 1024);

  const renderList = async (reply: FastifyReply, schoolId: string, errors?: FieldErrors) =>
    reply.page('training/views/import-list.njk', {
      title: 'Import training attendance',
      recent: await imports.listRecent(schoolId),
      statusTags,
      columns: [
        { label: 'Email', headings: COLUMN_ALIASES.email.join(', ') },
        {
          label: 'Date of the session',
          headings: `${COLUMN_ALIASES.date.join(', ')} (dd/mm/yyyy)`,
        },
        {
          label: 'Training',
          headings: `${COLUMN_ALIASES.training.join(', ')}: ${staffKinds.map((k) => kindLabel(k)).join('; ')}`,
        },
      ],
      maxMb,
      ...(errors ? { errors } : {}),
    });

  const renderImport = (reply: FastifyReply, view: AttendanceImportView, errors?: FieldErrors) =>
    reply.page('training/views/import-preview.njk', {
      title: `Attendance import: ${view.filename}`,
      imp: view,
      tag: statusTags[view.status],
      inProgress: ['uploaded', 'previewing', 'committing'].includes(view.status),
      rows: (view.preview?.matched ?? []).slice(0, 300),
      ...(errors ? { errors } : {}),
    });

  app.get('/training/imports', { config: { access: canManageTraining } }, async (request, reply) =>
    renderList(reply, staffOf(request.principal).schoolId),
  );

  importUploadRoutes(app, '/training/imports', {
    access: canManageTraining,
    uploadMaxBytes: config.uploadMaxBytes,
    files: services.files,
    defaultFilename: 'attendance.csv',
    imports,
    renderList,
    renderImport: (reply, _schoolId, view) => renderImport(reply, view),
  });

  importConfirmRoute(app, '/training/imports', {
    access: canManageTraining,
    imports,
    flash: 'Import confirmed. Lanyard is recording the attendance.',
    renderImport: (reply, view, errors) => renderImport(reply, view, errors),
  });
}
