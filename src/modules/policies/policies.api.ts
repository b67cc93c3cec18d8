import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import type { Principal } from '../auth/index.ts';
import { canViewPolicy } from './policies.policy.ts';

function schoolOf(p: Principal): string {
  if (p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

/** The policy profile in the JSON API (read-only). */
export function policiesApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
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
}
