import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import type { Principal } from '../auth/index.ts';
import { canEditPolicy, canViewPolicy } from './policies.policy.ts';

function schoolOf(p: Principal): string {
  if (p.kind === 'org_admin') throw new NotFoundError();
  return p.schoolId;
}

/** The policy profile in the JSON API: read it, and change it (issue 15 item 1). */
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

  api.add(app, {
    method: 'PATCH',
    url: '/api/v1/policy-profile',
    summary:
      'Change the policy profile (the Headteacher): new values by rule path, checked as on the settings page; saved as a new, audited version. Problem details name each invalid path, e.g. incidents.playbooks.parent_defamation.2.label',
    access: canEditPolicy,
    body: z.object({
      expectedVersion: z
        .number()
        .int()
        .positive()
        .describe('The version the change is based on (409 if it is no longer current)'),
      note: z.string().max(2000).describe('Why the policy is changing (the version history)'),
      settings: z
        .record(z.string().max(200), z.unknown())
        .default({})
        .describe(
          'New values by rule path, as GET returns them (`consent.renewalReminderDays`: 14; a playbook: its whole list of steps `{ key, label, citation }`); rules left out keep their value',
        ),
      citations: z
        .record(
          z.string().max(200),
          z.object({ section: z.string().max(80), quote: z.string().max(200).optional() }),
        )
        .default({})
        .describe(
          'The school’s own policy section (and its words) a rule comes from, by rule path',
        ),
      nextReviewDate: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .optional()
        .describe('The next review date, yyyy-mm-dd'),
      substantive: z
        .boolean()
        .default(true)
        .describe(
          'Does this change what staff, governors or parents must do? true (the default when left out): a substantive change, everyone who must acknowledge the policy is asked again and earlier acknowledgements are marked superseded; false: a minor change, nobody is asked again',
        ),
    }),
    response: z.object({
      version: z.number().int(),
      changed: z.array(z.string()).describe('The rule paths changed'),
      changes: z.array(z.string()).describe('What changed, in words'),
      substantive: z
        .boolean()
        .describe('Whether the version was recorded as a substantive change (asks everyone again)'),
    }),
    handler: async ({ principal, body }) => {
      const result = await services.policies.saveSettings(
        schoolOf(principal),
        { kind: 'staff', id: principal.id },
        {
          values: body.settings,
          citations: body.citations,
          note: body.note,
          expectedVersion: body.expectedVersion,
          substantive: body.substantive,
          ...(body.nextReviewDate ? { nextReviewDate: body.nextReviewDate } : {}),
        },
      );
      return {
        version: result.version,
        changed: result.changed,
        changes: result.described,
        substantive: result.substantive,
      };
    },
  });
}
