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
const rulesOf = z
  .array(ruleRef)
  .describe('The profile’s rules that implement it: staff only (empty for parents and pupils)');

/**
 * The policy text in the JSON API (issue 16): read the current text with the rules each clause
 * implements; record the signed-in member of staff's acknowledgement of the current version.
 */
export function lifecycleApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  api.add(app, {
    method: 'GET',
    url: '/api/v1/policy-text',
    summary:
      'The school’s current policy text: sections and clauses in its own words (public anyway: /schools/{slug}/policy), each with the rules of the profile that implement it for staff. Parents and pupils get the same text with no rules (the settings are staff’s); never a draft, an earlier version or who edited it',
    access: canReadPolicyText,
    response: z.object({
      version: z.number().int(),
      title: z.string(),
      sections: z.array(
        z.object({
          id: z.string(),
          heading: z.string(),
          anchor: z.string().describe('The fragment on /policy/text, e.g. section-cyberbullying'),
          rules: rulesOf,
          clauses: z.array(
            z.object({
              id: z.string().describe('e.g. 4.15'),
              anchor: z.string().describe('e.g. clause-4-15'),
              text: z.string(),
              rules: rulesOf,
            }),
          ),
        }),
      ),
    }),
    handler: async ({ principal }) => {
      const schoolId = schoolOf(principal);
      if (!(await services.policies.hasProfile(schoolId))) throw new NotFoundError();
      const doc = await services.policyText.document(schoolId);
      // The current text only (what the public page shows); the rules for staff, as the page.
      const sections = isStaff(principal)
        ? doc.sections
        : doc.sections.map((s) => ({
            ...s,
            rules: [],
            clauses: s.clauses.map((c) => ({ ...c, rules: [] })),
          }));
      return { version: doc.version, title: doc.text.title, sections };
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
