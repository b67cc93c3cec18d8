import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../modules/auth/principal.ts';
import type { Access } from './access.ts';

export interface ApiSpec<
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
  /**
   * Checks that need the record (e.g. "is this session of the caller's school?"): throw
   * NotFoundError for what this person may not see. Runs after the path is parsed and before the
   * body is read, so a person who may not act learns nothing from the body's errors.
   */
  authorise?(input: { principal: Principal; params: z.output<P> }): Promise<void>;
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
        const params = parse(spec.params, request.params, 'params') as z.output<P>;
        await spec.authorise?.({ principal: request.principal!, params });
        const result = await spec.handler({
          principal: request.principal!,
          query: parse(spec.query, request.query, 'query') as z.output<Q>,
          params,
          body: parse(spec.body, request.body, 'body') as z.output<B>,
          request,
        });
        if (result instanceof RawJson) {
          // As bytes, encoded once (a joined string is measured, then encoded again: ADR 0035).
          return reply
            .type('application/json; charset=utf-8')
            .send(Buffer.from(result.json, 'utf8'));
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
