import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../../config.ts';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute, type FormPage } from '../../../web/form-route.ts';
import { parseForm } from '../../../web/forms.ts';
import { claimUploads, UploadedFile, uploadRouteLimits } from '../../../web/uploads.ts';
import type { Principal } from '../../auth/index.ts';
import { canReportIncident, mayReachCases } from '../incidents.policy.ts';
import { evidenceExtensions } from './evidence-formats.ts';
import { addEvidenceForm, MAX_EVIDENCE_FILES_LATER } from './evidence.forms.ts';

const idParams = z.object({ id: z.uuid() });
const fileParams = z.object({ id: z.uuid(), evidenceId: z.uuid() });

type Person = Exclude<Principal, { kind: 'org_admin' }>;

/** Staff, parents and pupils of a school; anyone else is a 404. */
function person(p: Principal | null): Person {
  if (!p || p.kind === 'org_admin') throw new NotFoundError();
  return p;
}

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

/** The safe name a download gets: the case reference and what the bytes are, never the upload's name. */
export function downloadName(reference: string, evidenceId: string, mediaType: string): string {
  const ref = reference.replace(/[^A-Za-z0-9-]/g, '') || 'incident';
  return `${ref}-evidence-${evidenceId.slice(0, 8)}.${evidenceExtensions[mediaType] ?? 'bin'}`;
}

/**
 * Evidence of an incident (issue 14 item 3): add files later (the staff who may open the case,
 * or the person who reported it), and download one (those who may open the case), checked and
 * audited. Never for a report of a nude or semi-nude image of a child.
 */
export async function evidenceRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const evidence = services.incidentEvidence;
  const incidents = services.incidents;
  const maxMb = Math.round(config.uploadMaxBytes / 1024 / 1024);

  /** The case reference and where to go back to, for a person who may add evidence; else 404 (or the refusal page). */
  const authorise = async (
    who: Person,
    incidentId: string,
  ): Promise<{ reference: string; back: string } | FormPage> => {
    if (await evidence.mayAttach(who, incidentId)) {
      const found = await incidents.findVisible(who, incidentId);
      if (found) return { reference: found.reference, back: `/incidents/${incidentId}` };
      const own = await incidents.receipt(who, incidentId);
      return { reference: own.reference, back: `/report/${incidentId}/receipt` };
    }
    // A report of a nude or semi-nude image: say why, to those who may know it exists.
    const seen =
      (await incidents.findVisible(who, incidentId)) ??
      (await incidents.receipt(who, incidentId).catch((e: unknown) => {
        if (e instanceof NotFoundError) return null;
        throw e;
      }));
    if (seen?.indecentImage) return { page: (reply) => refusedPage(reply, who, seen.reference) };
    throw new NotFoundError();
  };

  const refusedPage = async (reply: FastifyReply, who: Person, reference: string) => {
    const current = await services.policies.current(who.schoolId);
    return reply.status(409).page('incidents/evidence/views/refused.njk', {
      title: 'No file can be added to this report',
      reference,
      rule: current.settings.incidents.indecentImagesPoliceOnly,
    });
  };

  const renderAdd = (
    reply: FastifyReply,
    found: { reference: string; back: string },
    incidentId: string,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) =>
    reply.page('incidents/evidence/views/add.njk', {
      title: `Add evidence to ${found.reference}`,
      incidentId,
      reference: found.reference,
      back: found.back,
      values,
      errors,
      maxFiles: MAX_EVIDENCE_FILES_LATER,
      maxMb,
    });

  app.get(
    '/incidents/:id/evidence/add',
    { config: { access: canReportIncident } },
    async (request, reply) => {
      const parsed = idParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      const found = await authorise(person(request.principal), parsed.data.id);
      if ('page' in found) return found.page(reply);
      return renderAdd(reply, found, parsed.data.id, {});
    },
  );

  formRoute(app, '/incidents/:id/evidence', {
    access: canReportIncident,
    config: {
      multipartOptions: uploadRouteLimits(config.uploadMaxBytes, MAX_EVIDENCE_FILES_LATER, 10),
    },
    who: person,
    params: idParams,
    authorise: ({ who, params }) => authorise(who, params.id),
    form: (body: unknown, request: FastifyRequest) => {
      const values = fieldsOf(body);
      const uploads = uploadsOf(body);
      const form = parseForm(addEvidenceForm, values);
      const errors: FieldErrors = form.ok ? {} : { ...form.errors };
      if (uploads.length === 0) errors.evidence = 'Select at least one file';
      else if (uploads.some((f) => f.truncated))
        errors.evidence = `Each file must be smaller than ${maxMb} MB`;
      if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors, values };
      claimUploads(request, uploads); // the service encrypts or discards them from here
      return { ok: true, value: { fields: form.value, uploads } };
    },
    act: ({ who, params, value }) =>
      evidence.attachLater(who, params.id, value.uploads, {
        statedAt: value.fields.statedAt ?? null,
        statedPlace: value.fields.statedPlace ?? null,
      }),
    done: (result, { found }) => ({
      redirect: found.back,
      flash: `${result.ids.length === 1 ? 'The file was' : `${result.ids.length} files were`} added to ${found.reference}, encrypted, with their fingerprints recorded.`,
    }),
    render: (reply, { found, params, values, errors }) =>
      renderAdd(reply, found, params.id, values, errors),
  });

  // Download: checked in full before the first byte, then again as it streams; audited.
  app.get(
    '/incidents/:id/evidence/:evidenceId',
    { config: { access: mayReachCases } },
    async (request, reply) => {
      const parsed = fileParams.safeParse(request.params);
      if (!parsed.success) throw new NotFoundError();
      const who = person(request.principal);
      const found = await incidents.findVisible(who, parsed.data.id);
      if (!found) throw new NotFoundError();
      const { stream, meta } = await evidence.open(who, parsed.data.id, parsed.data.evidenceId);
      return (
        reply
          .type(meta.mediaType)
          .header('content-length', meta.size)
          .header('cache-control', 'private, no-store')
          .header('x-content-type-options', 'nosniff')
          // Never run as a page of Lanyard, even an HTML chat export opened in the browser.
          .header(
            'content-security-policy',
            "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
          )
          .header(
            'content-disposition',
            `attachment; filename="${downloadName(found.reference, meta.id, meta.mediaType)}"`,
          )
          .header('x-evidence-sha256', meta.sha256)
          .send(stream)
      );
    },
  );
}
