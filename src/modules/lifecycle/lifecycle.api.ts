import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import { isStaff, type Principal } from '../auth/index.ts';
import { canReadPolicyText } from './lifecycle.policy.ts';

function schoolOf(p: Principal): string {
  if (p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

const ruleRef = z.object({ path: z.string(), label: z.string() });

/**
 * The policy text in the JSON API (issue 16): read the current text with the rules each clause
 * implements; record the signed-in member of staff's acknowledgement of the current version.
 */
export function lifecycleApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  api.add(app, {
    method: 'GET',
    url: '/api/v1/policy-text',
    summary:
      'The school’s current policy text: sections and clauses in its own words, each with the rules of the profile that implement it',
    access: canReadPolicyText,
    response: z.object({
      version: z.number().int(),
      title: z.string(),
      sections: z.array(
        z.object({
          id: z.string(),
          heading: z.string(),
          anchor: z.string().describe('The fragment on /policy/text, e.g. section-cyberbullying'),
          rules: z.array(ruleRef),
          clauses: z.array(
            z.object({
              id: z.string().describe('e.g. 4.15'),
              anchor: z.string().describe('e.g. clause-4-15'),
              text: z.string(),
              rules: z.array(ruleRef),
            }),
          ),
        }),
      ),
    }),
    handler: async ({ principal }) => {
      const schoolId = schoolOf(principal);
      if (!(await services.policies.hasProfile(schoolId))) throw new NotFoundError();
      const doc = await services.policyText.document(schoolId);
      return { version: doc.version, title: doc.text.title, sections: doc.sections };
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/policy-acknowledgements',
    summary:
      'Acknowledge the school’s current policy version (the signed-in member of staff, for themselves); the version recorded is the one current when it commits',
    access: (p: Principal) => isStaff(p),
    body: z.object({
      confirm: z.literal(true).describe('I have read and understood the current policy'),
    }),
    response: z.object({
      version: z.number().int().describe('The version acknowledged'),
      already: z.boolean().describe('It had been acknowledged before: nothing new recorded'),
    }),
    handler: async ({ principal }) => {
      if (!isStaff(principal)) throw new NotFoundError();
      return services.acknowledgements.acknowledge({
        kind: 'staff',
        id: principal.id,
        schoolId: principal.schoolId,
      });
    },
  });
}
