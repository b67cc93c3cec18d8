import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { Services } from '../container.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../modules/auth/principal.ts';
import type { PupilRow } from '../modules/people/people.repository.ts';
import type { Access } from './access.ts';
import { canListPupils } from '../modules/people/people.policy.ts';
import { canViewPolicy } from '../modules/policies/policies.policy.ts';
import { mediaApi } from '../modules/media/media.api.ts';
import { peopleApi } from '../modules/people/people.api.ts';
import { canCheckConsent } from '../modules/consent/consent.policy.ts';
import { mediaTypeSchema } from '../modules/policies/policy-settings.ts';
import type { ConsentAnswer } from '../modules/consent/consent-rules.ts';

interface ApiSpec<
  Q extends z.ZodType,
  P extends z.ZodType,
  B extends z.ZodType,
  R extends z.ZodType,
> {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  summary: string;
  access: Exclude<Access, 'public' | 'signed-in' | 'second-factor'>;
  query?: Q;
  params?: P;
  body?: B;
  /** The body is multipart/form-data (file uploads) with these limits, not JSON. */
  multipart?: FastifyContextConfig['multipartOptions'];
  response: R;
  handler(input: {
    principal: Principal;
    query: z.output<Q>;
    params: z.output<P>;
    body: z.output<B>;
    request: FastifyRequest;
  }): Promise<z.input<R> | RawJson>;
}

/**
 * A response body already serialised as JSON (of the route's response schema): for hot routes
 * that reuse the serialised form of immutable parts instead of stringifying them every time.
 */
export class RawJson {
  constructor(readonly json: string) {}
}

/** The JSON of consent answers the register cache keeps (frozen, shared), by identity. */
const answerJson = new WeakMap<ConsentAnswer, string>();

const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.record(z.string(), z.string()).optional(),
});

/**
 * JSON API under /api/v1. Each route is described once (zod schemas); the same schemas parse the
 * request and generate /api/v1/openapi.json.
 */
export class ApiRegistry {
  readonly routes: {
    method: string;
    url: string;
    summary: string;
    query?: z.ZodType;
    params?: z.ZodType;
    body?: z.ZodType;
    multipart?: FastifyContextConfig['multipartOptions'];
    response: z.ZodType;
  }[] = [];

  add<Q extends z.ZodType, P extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
    app: FastifyInstance,
    spec: ApiSpec<Q, P, B, R>,
  ) {
    this.routes.push(spec);
    const parse = <S extends z.ZodType | undefined>(schema: S, value: unknown, where: string) => {
      if (!schema) return undefined;
      const result = schema.safeParse(value ?? {});
      if (result.success) return result.data;
      const errors: Record<string, string> = {};
      for (const issue of result.error.issues)
        errors[issue.path.join('.') || where] ??= issue.message;
      if (where === 'params') throw new NotFoundError();
      throw new ValidationError(errors, `The ${where} is not valid`);
    };
    app.route({
      method: spec.method,
      url: spec.url,
      config: {
        access: spec.access,
        ...(spec.multipart ? { multipartOptions: spec.multipart } : {}),
      },
      handler: async (request, reply) => {
        const result = await spec.handler({
          principal: request.principal!,
          query: parse(spec.query, request.query, 'query') as z.output<Q>,
          params: parse(spec.params, request.params, 'params') as z.output<P>,
          body: parse(spec.body, request.body, 'body') as z.output<B>,
          request,
        });
        if (result instanceof RawJson) {
          return reply.type('application/json; charset=utf-8').send(result.json);
        }
        return reply.send(result);
      },
    });
  }

  openApi(baseUrl: string) {
    const paths: Record<string, Record<string, unknown>> = {};
    const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') =>
      z.toJSONSchema(s, { io, unrepresentable: 'any' });
    for (const r of this.routes) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, s] of [
        ['query', r.query],
        ['path', r.params],
      ] as const) {
        if (!s || !(s instanceof z.ZodObject)) continue;
        for (const [name, field] of Object.entries(s.shape as Record<string, z.ZodType>)) {
          parameters.push({
            name,
            in: where,
            required: where === 'path' || !field.safeParse(undefined).success,
            schema: schema(field, 'input'),
          });
        }
      }
      paths[path] ??= {};
      paths[path][r.method.toLowerCase()] = {
        summary: r.summary,
        parameters,
        ...(r.body
          ? {
              requestBody: {
                required: true,
                content: {
                  [r.multipart ? 'multipart/form-data' : 'application/json']: {
                    schema: schema(r.body, 'input'),
                  },
                },
              },
            }
          : {}),
        responses: {
          '200': {
            description: 'OK',
            content: { 'application/json': { schema: schema(r.response) } },
          },
          '400': {
            description: 'Invalid input',
            content: { 'application/problem+json': { schema: schema(problemSchema) } },
          },
          '401': {
            description: 'Not signed in',
            content: { 'application/problem+json': { schema: schema(problemSchema) } },
          },
          '404': {
            description: 'Not found (or not yours to see)',
            content: { 'application/problem+json': { schema: schema(problemSchema) } },
          },
          '429': {
            description: 'Too many requests from this client address (API_RATE_LIMIT a minute)',
            headers: {
              'Retry-After': {
                description: 'Seconds until the limit resets',
                schema: { type: 'integer' },
              },
            },
            content: { 'application/problem+json': { schema: schema(problemSchema) } },
          },
        },
        security: [{ bearer: [] }, { session: [] }],
      };
    }
    return {
      openapi: '3.1.0',
      info: {
        title: 'Lanyard API',
        version: '1',
        description:
          'Every request is scoped to the caller’s school. Errors are RFC 9457 problem details.',
      },
      servers: [{ url: `${baseUrl}/api/v1` }],
      paths: Object.fromEntries(
        Object.entries(paths).map(([k, v]) => [k.replace(/^\/api\/v1/, ''), v]),
      ),
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token: `npx lanyard token create --email …`',
          },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'lanyard_session',
            description:
              'A signed-in browser session (state-changing requests also need the x-csrf-token header)',
          },
        },
      },
    };
  }
}

export const pupilSchema = z.object({
  id: z.uuid(),
  /** Null for parents and pupils: the school's MIS id is not theirs to see. */
  misId: z.string().nullable(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: z.string(),
  yearGroup: z.string(),
  className: z.string().nullable(),
  admissionDate: z.string().nullable(),
  leavingDate: z.string().nullable(),
  possiblyLeft: z.boolean(),
});

export function toPupil(
  p: Pick<
    PupilRow,
    | 'id'
    | 'givenName'
    | 'familyName'
    | 'dateOfBirth'
    | 'yearGroup'
    | 'className'
    | 'admissionDate'
    | 'leavingDate'
    | 'possiblyLeftAt'
  > & { misId: string | null },
) {
  return {
    id: p.id,
    misId: p.misId,
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: p.dateOfBirth,
    yearGroup: p.yearGroup,
    className: p.className,
    admissionDate: p.admissionDate,
    leavingDate: p.leavingDate,
    possiblyLeft: p.possiblyLeftAt !== null,
  };
}

function schoolOf(p: Principal): string {
  if (p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

export async function apiRoutes(
  app: FastifyInstance,
  { services, config }: { services: Services; config: Config },
) {
  const api = new ApiRegistry();

  api.add(app, {
    method: 'GET',
    url: '/api/v1/me',
    summary: 'Who am I',
    access: () => true,
    response: z.object({
      kind: z.string(),
      id: z.uuid(),
      name: z.string(),
      schoolId: z.uuid().nullable(),
      roles: z.array(z.string()),
    }),
    handler: async ({ principal }) => ({
      kind: principal.kind,
      id: principal.id,
      name: principal.name,
      schoolId: principal.kind === 'org_admin' ? null : principal.schoolId,
      roles: principal.kind === 'staff' ? principal.roles : [],
    }),
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/pupils',
    summary: 'List pupils on roll (search, filter, paginate)',
    access: canListPupils,
    query: z.object({
      q: z.string().max(100).optional(),
      yearGroup: z.string().max(3).optional(),
      className: z.string().max(60).optional(),
      includeLeavers: z.enum(['true', 'false']).optional(),
      page: z.coerce.number().int().min(1).max(100_000).default(1),
    }),
    response: z.object({
      page: z.number(),
      pages: z.number(),
      total: z.number(),
      pupils: z.array(pupilSchema),
    }),
    handler: async ({ principal, query }) => {
      const scope = await services.people.classScope(principal);
      const result = await services.people.listPupils(
        schoolOf(principal),
        {
          q: query.q,
          yearGroup: query.yearGroup,
          className: query.className,
          includeLeavers: query.includeLeavers === 'true',
          classNames: scope ?? undefined,
        },
        query.page,
      );
      return {
        page: result.page,
        pages: result.pages,
        total: result.total,
        pupils: result.rows.map(toPupil),
      };
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/pupils/:id',
    summary: 'One pupil (staff who may list pupils, the pupil’s parents, the pupil)',
    access: (p) => p.kind !== 'org_admin',
    params: z.object({ id: z.uuid() }),
    response: pupilSchema.extend({
      parents: z.array(
        z.object({
          id: z.uuid(),
          givenName: z.string(),
          familyName: z.string(),
          relationship: z.string().nullable(),
          parentalResponsibility: z.boolean(),
        }),
      ),
    }),
    handler: async ({ principal, params }) => {
      const record = await services.people.pupilRecord(principal, params.id);
      return {
        ...toPupil(record.pupil),
        parents: record.parents.map((c) => ({
          id: c.id,
          givenName: c.givenName,
          familyName: c.familyName,
          relationship: c.relationship,
          parentalResponsibility: c.parentalResponsibility,
        })),
      };
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/policy-profile',
    summary: 'The school’s current policy profile: every rule with its clause citation',
    access: canViewPolicy,
    response: z.object({
      version: z.number(),
      templateKey: z.string(),
      nextReviewDate: z.string(),
      rules: z.array(
        z.object({
          path: z.string(),
          label: z.string(),
          value: z.unknown(),
          citation: z
            .object({ seed: z.string().nullable(), section: z.string(), quote: z.string() })
            .loose(),
        }),
      ),
    }),
    handler: async ({ principal }) => {
      const current = await services.policies.current(schoolOf(principal));
      return {
        version: current.version,
        templateKey: current.templateKey,
        nextReviewDate: current.nextReviewDate,
        rules: services.policies
          .rules(current.settings)
          .map((r) => ({ path: r.path, label: r.label, value: r.value, citation: r.citation })),
      };
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/consent/check',
    summary:
      'May these pupils appear in this media for this purpose? One answer per pupil, with the reason, the records and the clause of the school’s policy. Teachers and teaching assistants may ask only about pupils of their classes: any other pupil is answered like an unknown one (404, and no answer for anyone in the list)',
    access: canCheckConsent,
    body: z.object({
      purpose: z.string().trim().min(1).max(60),
      mediaType: mediaTypeSchema,
      /** The pupil's name would be printed with the picture (`consent.namedPhotoNeedsWrittenPermission`). */
      named: z.boolean().optional(),
      /** When the picture would be used (ISO 8601 with offset); now by default. */
      at: z.iso.datetime({ offset: true }).optional(),
      pupilIds: z.array(z.uuid()).min(1).max(200),
    }),
    response: z.object({
      results: z.array(
        z.object({
          pupilId: z.uuid(),
          allowed: z.boolean(),
          outcome: z.enum(['granted', 'refused', 'not_returned', 'none', 'expired', 'not_asked']),
          reason: z.string(),
          recordIds: z.array(z.uuid()),
          citation: z.string(),
        }),
      ),
    }),
    handler: async ({ principal, body }) => {
      const at = body.at === undefined ? undefined : new Date(body.at);
      // The one pupil scope: a pupil this person may not see is answered exactly like an unknown
      // one (404 problem, "No such pupil"), so no answer, reason or parent's name leaks.
      const scope = await services.staffClasses.scopeOf(principal);
      await services.staffClasses.assertVisible(scope, body.pupilIds);
      const answers = await services.consent.mayMany(
        schoolOf(principal),
        body.pupilIds.map((pupilId) => ({
          pupilId,
          purpose: body.purpose,
          mediaType: body.mediaType,
          named: body.named ?? false,
          ...(at ? { at } : {}),
        })),
      );
      // Kept answers are frozen and shared (ADR 0009): serialise each of them once.
      let json = '{"results":[';
      answers.forEach((a, i) => {
        let one = answerJson.get(a);
        if (one === undefined) {
          one = JSON.stringify({
            pupilId: a.pupilId,
            allowed: a.allowed,
            outcome: a.outcome,
            reason: a.reason,
            recordIds: a.recordIds,
            citation: a.citation,
          });
          if (Object.isFrozen(a)) answerJson.set(a, one);
        }
        json += i === 0 ? one : `,${one}`;
      });
      return new RawJson(`${json}]}`);
    },
  });

  mediaApi(app, api, services, config);
  peopleApi(app, api, services);

  const document = api.openApi(config.baseUrl);
  app.get('/api/v1/openapi.json', { config: { access: 'public' } }, async (_request, reply) =>
    reply.send(document),
  );
}
