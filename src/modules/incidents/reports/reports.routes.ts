import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import type { Config } from '../../../config.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import { parseForm } from '../../../web/forms.ts';
import { claimUploads, UploadedFile, uploadRouteLimits } from '../../../web/uploads.ts';
import type { Principal } from '../../auth/index.ts';
import { canReportIncident } from '../incidents.policy.ts';
import { reportStatusLabels, type ReportFile } from '../incidents.service.ts';
import {
  imageReportForm,
  incidentPlatforms,
  namedKindLabels,
  namedKinds,
  partLabels,
  personParts,
  platformLabels,
  reportBody,
  reportForm,
  reportStartForm,
  type ReportInput,
} from '../incidents.forms.ts';

const idParams = z.object({ id: z.uuid() });
/** At most this many evidence files with one report. */
export const MAX_EVIDENCE_FILES = 10;

/** The person reporting (staff, governors, parents and pupils of a school); anyone else 404. */
function reporter(p: Principal | null): Exclude<Principal, { kind: 'org_admin' }> {
  if (!p || p.kind === 'org_admin') throw new NotFoundError();
  return p;
}

/** The files of a multipart body (an empty file input is no file). */
function uploadsOf(body: unknown): UploadedFile[] {
  const out: UploadedFile[] = [];
  for (const v of Object.values((body as Record<string, unknown> | undefined) ?? {}))
    for (const f of Array.isArray(v) ? v : [v]) if (f instanceof UploadedFile) out.push(f);
  return out.filter((f) => !(f.size === 0 && f.filename === ''));
}
function fieldsOf(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((body as Record<string, unknown>) ?? {}))
    if (
      !(v instanceof UploadedFile) &&
      !(Array.isArray(v) && v.some((x) => x instanceof UploadedFile))
    )
      out[k] = v;
  return out;
}

const items = <K extends string>(keys: readonly K[], labels: Record<K, string>, chosen: unknown) =>
  keys.map((k) => ({ value: k, text: labels[k], selected: chosen === k, checked: chosen === k }));

/**
 * Reporting a concern (issue 14 items 1, 2): the first question (does it involve a nude or
 * semi-nude image of a child?), then either the report with its evidence, or the image
 * referral, which takes no file at all (its route accepts no multipart file: the platform
 * refuses any). Then the receipt, and "my reports" with their status only.
 */
export async function reportRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const incidents = services.incidents;

  // -- What the reporter may name from the roll: staff see the pupils their scope allows and
  // the staff list; parents their own children; pupils name people by name only.
  const choicesFor = async (p: Exclude<Principal, { kind: 'org_admin' }>) => {
    const db = services.database.db;
    if (p.kind === 'parent') {
      const children = await services.peopleDirectory.childrenOfParent(db, p.schoolId, p.id);
      return {
        pupils: children.map((c) => ({ id: c.id, name: `${c.givenName} ${c.familyName}` })),
        staff: [] as { id: string; name: string }[],
      };
    }
    if (p.kind === 'pupil') return { pupils: [], staff: [] };
    const scope = await services.staffClasses.scopeOf(p);
    const [roll, roster] = await Promise.all([
      scope.kind === 'none'
        ? Promise.resolve([])
        : services.peopleDirectory.pupilsOnRoll(db, p.schoolId, services.people.today()),
      services.peopleDirectory.staffRoster(db, p.schoolId),
    ]);
    return {
      pupils: roll
        .filter((r) => scope.includes(r))
        .map((r) => ({
          id: r.id,
          name: `${r.givenName} ${r.familyName}${r.className ? ` (${r.className})` : ''}`,
        })),
      staff: roster
        .filter((s) => s.id !== p.id)
        .map((s) => ({ id: s.id, name: `${s.givenName} ${s.familyName}` })),
    };
  };

  app.get('/report', { config: { access: canReportIncident } }, async (request, reply) => {
    reporter(request.principal);
    return reply.page('incidents/reports/views/start.njk', {
      title: 'Report a concern',
      values: {},
    });
  });

  formRoute(app, '/report', {
    access: canReportIncident,
    who: reporter,
    form: reportStartForm,
    act: async ({ value }) => value.indecentImage,
    done: (answer) => ({ redirect: answer === 'yes' ? '/report/image' : '/report/concern' }),
    render: (reply, { values, errors }) =>
      reply.page('incidents/reports/views/start.njk', {
        title: 'Report a concern',
        values,
        errors,
      }),
  });

  // -- The report with evidence.
  const renderConcern = async (
    reply: FastifyReply,
    p: Exclude<Principal, { kind: 'org_admin' }>,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const [choices, current] = await Promise.all([
      choicesFor(p),
      services.policies.current(p.schoolId),
    ]);
    const chosen = (k: string) =>
      new Set([values[k]].flat().filter((x): x is string => typeof x === 'string'));
    const pupilsChosen = chosen('pupils');
    const staffChosen = chosen('staff');
    return reply.page('incidents/reports/views/concern.njk', {
      title: 'Report a concern',
      values,
      errors,
      platformItems: [
        { value: '', text: 'Choose a platform' },
        ...items(incidentPlatforms, platformLabels, values.platform),
      ],
      pupilItems: choices.pupils.map((c) => ({
        value: c.id,
        text: c.name,
        checked: pupilsChosen.has(c.id),
      })),
      staffItems: choices.staff.map((c) => ({
        value: c.id,
        text: c.name,
        checked: staffChosen.has(c.id),
      })),
      partItems: (k: string) => [
        { value: '', text: 'Choose' },
        ...items(personParts, partLabels, values[k]),
      ],
      kindItems: (k: string) => [
        { value: '', text: 'Choose' },
        ...items(namedKinds, namedKindLabels, values[k]),
      ],
      keepEvidence: current.settings.incidents.keepEvidence,
      maxFiles: MAX_EVIDENCE_FILES,
      maxMb: Math.round(config.uploadMaxBytes / 1024 / 1024),
    });
  };

  app.get('/report/concern', { config: { access: canReportIncident } }, async (request, reply) =>
    renderConcern(reply, reporter(request.principal), {}),
  );

  formRoute(app, '/report/concern', {
    access: canReportIncident,
    config: { multipartOptions: uploadRouteLimits(config.uploadMaxBytes, MAX_EVIDENCE_FILES, 40) },
    who: reporter,
    form: async (body: unknown, request: FastifyRequest) => {
      const values = fieldsOf(body);
      const uploads = uploadsOf(body);
      const { input, dateError } = reportBody(values);
      const form = parseForm(reportForm, input);
      const errors: FieldErrors = form.ok ? {} : { ...form.errors };
      if (dateError) errors.occurredOn = dateError;
      if (uploads.some((f) => f.truncated))
        errors.evidence = `Each file must be smaller than ${Math.round(config.uploadMaxBytes / 1024 / 1024)} MB`;
      // Only the people this reporter was offered may be chosen from the roll.
      if (form.ok) {
        const offered = await choicesFor(reporter(request.principal));
        const ids = (list: { id: string }[]) => new Set(list.map((x) => x.id));
        const pupils = ids(offered.pupils);
        const staff = ids(offered.staff);
        if (form.value.pupils.some((id) => !pupils.has(id)))
          errors.pupils = 'Choose pupils from the list';
        if (form.value.staff.some((id) => !staff.has(id)))
          errors.staff = 'Choose staff from the list';
      }
      if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors, values };
      claimUploads(request, uploads);
      const files: ReportFile[] = uploads.map((f) => ({
        tempName: f.tempName,
        size: f.size,
        sha256: f.sha256,
        filename: f.filename,
        mimetype: f.mimetype,
        truncated: f.truncated,
      }));
      return { ok: true, value: { input: form.value as ReportInput, files, uploads } };
    },
    act: async ({ who, value, request }) => {
      try {
        return await incidents.reportConcern(who, value.input, value.files);
      } finally {
        // Whatever the evidence store did not keep is removed (it moves what it keeps).
        await Promise.all(
          value.uploads.map((f) => services.files.discard(f.tempName).catch(() => undefined)),
        );
        void request;
      }
    },
    done: (r) => ({ redirect: `/report/${r.id}/receipt` }),
    render: (reply, { who, values, errors }) => renderConcern(reply, who, values, errors),
  });

  // -- A nude or semi-nude image of a child: instructions, and the referral. No file input, and
  // the route's multipart limits are the default: no file part is accepted.
  const renderImage = async (
    reply: FastifyReply,
    p: Exclude<Principal, { kind: 'org_admin' }>,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const current = await services.policies.current(p.schoolId);
    return reply.page('incidents/reports/views/image.njk', {
      title: 'A nude or semi-nude image of a child',
      values,
      errors,
      rule: current.settings.incidents.indecentImagesPoliceOnly,
      isAdult: p.kind !== 'pupil',
    });
  };

  app.get('/report/image', { config: { access: canReportIncident } }, async (request, reply) =>
    renderImage(reply, reporter(request.principal), {}),
  );

  formRoute(app, '/report/image', {
    access: canReportIncident,
    who: reporter,
    form: imageReportForm,
    act: ({ who, value }) => incidents.reportIndecentImage(who, value),
    done: (r) => ({ redirect: `/report/${r.id}/receipt` }),
    render: (reply, { who, values, errors }) => renderImage(reply, who, values, errors),
  });

  // -- Receipt and "my reports": the status only.
  app.get(
    '/report/:id/receipt',
    { config: { access: canReportIncident } },
    async (request, reply) => {
      const p = reporter(request.principal);
      const parsed = idParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      const status = await incidents.receipt(p, parsed.data.id);
      const current = await services.policies.current(p.schoolId);
      return reply.page('incidents/reports/views/receipt.njk', {
        title: `Report ${status.reference} received`,
        status,
        statusLabel: reportStatusLabels[status.status],
        keepEvidence: current.settings.incidents.keepEvidence,
        rule: current.settings.incidents.indecentImagesPoliceOnly,
      });
    },
  );

  app.get('/my-reports', { config: { access: canReportIncident } }, async (request, reply) => {
    const p = reporter(request.principal);
    const reports = await incidents.myReports(p);
    return reply.page('incidents/reports/views/my-reports.njk', {
      title: 'Your reports',
      reports: reports.map((r) => ({ ...r, statusLabel: reportStatusLabels[r.status] })),
    });
  });
}
