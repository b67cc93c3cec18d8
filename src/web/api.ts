import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.ts';
import type { ModuleDefinition, Services } from '../modules/registry.ts';
import { ApiRegistry } from './api-registry.ts';

/**
 * The JSON API under /api/v1: `/me`, each module's API routes (its definition's `api`) and
 * /api/v1/openapi.json, generated from the same zod schemas that parse the requests.
 */
export async function apiRoutes(
  app: FastifyInstance,
  {
    services,
    config,
    modules,
  }: { services: Services; config: Config; modules: readonly ModuleDefinition[] },
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

  for (const module of modules) for (const add of module.api ?? []) add(app, api, services, config);

  const document = api.openApi(config.baseUrl);
  app.get('/api/v1/openapi.json', { config: { access: 'public' } }, async (_request, reply) =>
    reply.send(document),
  );
}
