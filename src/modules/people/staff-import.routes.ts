import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { csvRows } from '../../platform/csv.ts';
import { ukDate } from '../../platform/clock.ts';
import type { Config } from '../../config.ts';
import type { Services } from '../registry.ts';
import { NotFoundError, type FieldErrors } from '../../errors.ts';
import {
  importConfirmRoute,
  importStatusTags,
  importUploadRoutes,
} from '../../web/import-routes.ts';
import { staffOf } from '../../web/principal.ts';
import { roleLabels, staffRoles } from '../auth/index.ts';
import { canManageStaff } from './people.policy.ts';
import { STAFF_IMPORT_COLUMNS } from './staff-import.parse.ts';
import type { StaffImportView } from './staff-import.service.ts';

const statusTags = importStatusTags;

const idParams = z.object({ id: z.uuid() });

/**
 * The preview's problems as a spreadsheet: a row per problem, the file's row number and the
 * problem in words, as the page lists them. Every cell is formula-injection safe (platform/csv.ts).
 */
export function staffImportProblemsCsv(view: StaffImportView): string {
  return csvRows([
    ['Row', 'Problem'],
    ...(view.preview?.errors ?? []).map((e) => [e.line, e.message]),
  ]);
}

/**
 * The staff import (docs/people.md, "Importing staff"): a CSV staff list is uploaded, checked by
 * a job into a preview (who is added, who changes and how, every row's problems), confirmed, and
 * applied by a job. The Headteacher and the Business Manager (the roles that manage staff; a
 * Business Manager's file may not give or take away the Headteacher, DSL or DPO roles).
 */
export async function staffImportRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const imports = services.staffImports;
  const maxMb = Math.round(config.uploadMaxBytes / 1024 / 1024);

  const renderList = async (reply: FastifyReply, schoolId: string, errors?: FieldErrors) => {
    const titles = { ...roleLabels, ...(await services.policyScope.roleTitles(schoolId)) };
    return reply.page('people/views/staff-import-list.njk', {
      title: 'Import staff',
      recent: await imports.listRecent(schoolId),
      statusTags,
      columns: Object.values(STAFF_IMPORT_COLUMNS).map((c) => ({
        label: c.label,
        required: c.required,
        headings: c.headings.join(', '),
      })),
      roleNames: staffRoles.map((r) => titles[r]).join(', '),
      maxMb,
      ...(errors ? { errors } : {}),
    });
  };

  const renderImport = (reply: FastifyReply, view: StaffImportView, errors?: FieldErrors) =>
    reply.page('people/views/staff-import.njk', {
      title: `Staff import: ${view.filename}`,
      imp: view,
      tag: statusTags[view.status],
      inProgress: ['uploaded', 'previewing', 'committing'].includes(view.status),
      ...(errors ? { errors } : {}),
    });

  app.get('/imports/staff', { config: { access: canManageStaff } }, async (request, reply) =>
    renderList(reply, staffOf(request.principal).schoolId),
  );

  importUploadRoutes(app, '/imports/staff', {
    access: canManageStaff,
    uploadMaxBytes: config.uploadMaxBytes,
    files: services.files,
    defaultFilename: 'staff.csv',
    imports,
    renderList,
    renderImport: (reply, _schoolId, view) => renderImport(reply, view),
  });

  // The problems of a checked file as CSV (404 until it is checked, and for another school's).
  app.get(
    '/imports/staff/:id/problems.csv',
    { config: { access: canManageStaff } },
    async (request, reply) => {
      const { schoolId } = staffOf(request.principal);
      const params = idParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const view = await imports.get(schoolId, params.data.id);
      if (!view.preview) throw new NotFoundError();
      return reply
        .header('Content-Type', 'text/csv; charset=utf-8')
        .header(
          'Content-Disposition',
          `attachment; filename="staff-import-problems-${ukDate(view.createdAt)}.csv"`,
        )
        .header('Cache-Control', 'private, no-store')
        .send(staffImportProblemsCsv(view));
    },
  );

  importConfirmRoute(app, '/imports/staff', {
    access: canManageStaff,
    imports,
    flash: 'Import confirmed. Lanyard is updating the staff list.',
    renderImport: (reply, view, errors) => renderImport(reply, view, errors),
  });
}
