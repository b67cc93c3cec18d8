import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { ValidationError } from '../../errors.ts';
import { RawJson, type ApiRegistry } from '../../web/api-registry.ts';
import { parseForm } from '../../web/forms.ts';
import { staffOf } from '../../web/principal.ts';
import { incidentTypes } from '../policies/index.ts';
import { canReportThroughApi, mayReachCases } from './incidents.policy.ts';
import {
  apiReportBody,
  caseCursorParam,
  caseCursorQuery,
  categories,
  imageReportForm,
  parseCaseCursor,
  reportForm,
} from './incidents.forms.ts';
import { describeEntry } from './cases/case-view.ts';
import type { CaseRow } from './incidents.service.ts';

const idParams = z.object({ id: z.uuid() });

const caseSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  reportedAt: z.string(),
  status: z.enum(['new', 'open', 'closed']),
  incidentType: z.enum(incidentTypes).nullable(),
  category: z.enum(categories).nullable(),
  risk: z.string().nullable(),
  safeguarding: z.boolean(),
  indecentImage: z.boolean(),
  nextStepDue: z.string().nullable(),
  closedAt: z.string().nullable(),
});

const listResponse = z.object({ cases: z.array(caseSchema), next: z.string().nullable() });

const toCase = (c: CaseRow): z.input<typeof caseSchema> => ({
  id: c.incidentId,
  reference: c.reference,
  reportedAt: c.reportedAt.toISOString(),
  status: c.status === 'closed' ? 'closed' : c.classifiedAt ? 'open' : 'new',
  incidentType: c.incidentType as z.input<typeof caseSchema>['incidentType'],
  category: c.category as z.input<typeof caseSchema>['category'],
  risk: c.risk,
  safeguarding: c.safeguarding,
  indecentImage: c.indecentImage,
  nextStepDue: c.nextStepDue,
  closedAt: c.closedAt ? c.closedAt.toISOString() : null,
});

/**
 * Incidents through the JSON API (issue 14 item 10): report (no file: evidence goes to
 * `/api/v1/incidents/{id}/evidence`, which refuses it for an indecent-image report), the case
 * list and one case. Same service calls and the same 404s as the pages.
 */
export function incidentsApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  api.add(app, {
    method: 'POST',
    url: '/api/v1/incidents',
    summary:
      'Report a concern. With indecentImage true nothing but the fact is kept (adultInvolved is required; any other field is refused).',
    access: canReportThroughApi,
    body: apiReportBody,
    response: z.object({ id: z.uuid(), reference: z.string() }),
    handler: async ({ principal, body }) => {
      if (body.indecentImage) {
        const extra = (
          [
            'whatHappened',
            'platform',
            'url',
            'occurredOn',
            'occurredTime',
            'occurredWhere',
            'pupilIds',
            'staffIds',
          ] as const
        ).filter((k) => body[k] !== undefined);
        if (extra.length > 0)
          throw new ValidationError(
            Object.fromEntries(
              extra.map((k) => [k, 'Nothing about the image is recorded: leave this out']),
            ),
          );
        const form = parseForm(imageReportForm, {
          adultInvolved: body.adultInvolved,
          understood: 'yes',
        });
        if (!form.ok) throw new ValidationError(form.errors);
        return services.incidents.reportIndecentImage(principal, form.value);
      }
      const form = parseForm(reportForm, {
        whatHappened: body.whatHappened,
        platform: body.platform,
        url: body.url,
        occurredOn: body.occurredOn,
        occurredTime: body.occurredTime,
        occurredWhere: body.occurredWhere,
        reporterConcern: body.reporterConcern ? 'yes' : 'no',
        pupils: body.pupilIds ?? [],
        staff: body.staffIds ?? [],
        named: [],
      });
      if (!form.ok) throw new ValidationError(form.errors);
      // As on the form: pupils only from those this person may see (a teacher: their classes).
      if (form.value.pupils.length > 0 && principal.kind === 'staff') {
        const scope = await services.staffClasses.scopeOf(principal);
        const found = await services.peopleDirectory.pupilsByIds(
          services.database.db,
          principal.schoolId,
          form.value.pupils,
        );
        if (
          found.length !== new Set(form.value.pupils).size ||
          !found.every((p) => scope.includes(p))
        )
          throw new ValidationError({ pupilIds: 'Name pupils you can see on the roll' });
      }
      return services.incidents.reportConcern(principal, form.value);
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/incidents',
    summary:
      'The cases you may open, newest first (keyset pagination: pass `after` from the last page)',
    access: mayReachCases,
    query: z.object({
      status: z.enum(['open', 'closed']).optional(),
      type: z.enum(incidentTypes).optional(),
      after: caseCursorQuery.optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    response: listResponse,
    handler: async ({ principal, query }) => {
      const who = staffOf(principal);
      // The page serialised once and kept as the school's shared read (a change to any case
      // shows on the next request: IncidentsService.listCasesRendered).
      const json = await services.incidents.listCasesRendered(
        who,
        {
          filters: {
            ...(query.status ? { status: query.status } : {}),
            ...(query.type ? { incidentType: query.type } : {}),
          },
          after: query.after ? parseCaseCursor(query.after) : undefined,
          limit: query.limit,
          purpose: 'api',
        },
        (page) =>
          JSON.stringify({
            cases: page.rows.map(toCase),
            next: page.next ? caseCursorParam(page.next) : null,
          } satisfies z.input<typeof listResponse>),
      );
      return new RawJson(json);
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/incidents/:id',
    summary: 'One case with its chronology (404 unless you may open it)',
    access: mayReachCases,
    params: idParams,
    response: caseSchema.extend({
      chronology: z.array(z.object({ at: z.string(), title: z.string(), detail: z.string() })),
    }),
    handler: async ({ principal, params }) => {
      const who = staffOf(principal);
      const found = await services.incidents.caseFor(who, params.id);
      return {
        ...toCase(found.row),
        chronology: found.entries.map((e) => ({
          at: e.at.toISOString(),
          ...describeEntry(e.kind, e.data as Record<string, unknown>),
        })),
      };
    },
  });
}
