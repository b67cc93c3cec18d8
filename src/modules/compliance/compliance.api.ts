import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import { canSeeTrustCompliance, mayOpenCompliance } from './compliance.policy.ts';
import type { Counts } from './compliance-view.ts';
import { filtersFrom } from './compliance.routes.ts';

const countsSchema = z.object({
  done: z.number(),
  dueSoon: z.number(),
  overdue: z.number(),
  notRequired: z.number(),
  percentDone: z.number().nullable(),
});
const countsOut = (c: Counts) => ({
  done: c.done,
  dueSoon: c.due_soon,
  overdue: c.overdue,
  notRequired: c.not_required,
  percentDone: c.percentDone,
});
const countsByColumn = (counts: Record<string, Counts>) =>
  Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, countsOut(c)]));
const columnSchema = z.object({ key: z.string(), label: z.string() });
const stateSchema = z.enum(['done', 'due_soon', 'overdue', 'not_required']);

/**
 * The compliance view in the JSON API (issue 17 items 5 and 8), by the same rules as the pages:
 * the school's view with names for those who run training, by role only for governors the
 * profile gives the review (`people` empty), 404 for anyone else; the trust's figures per school,
 * never a name. The filters are the page's (`role`, `kind`, `status`; an unknown value ignored).
 */
export function complianceApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  const compliance = services.compliance;

  api.add(app, {
    method: 'GET',
    url: '/api/v1/compliance',
    summary:
      'Who has done each kind of training the school’s policy asks for and acknowledged the current policy: by role, and by person for those who run training',
    access: mayOpenCompliance,
    query: z.object({
      role: z.string().optional(),
      kind: z.string().optional(),
      status: z.string().optional(),
    }),
    response: z.object({
      today: z.string(),
      policyVersion: z.number(),
      view: z.enum(['names', 'counts']),
      columns: z.array(columnSchema),
      byRole: z.array(
        z.object({
          role: z.string(),
          title: z.string(),
          people: z.number(),
          counts: z.record(z.string(), countsSchema),
        }),
      ),
      totals: z.object({ people: z.number(), counts: z.record(z.string(), countsSchema) }),
      overduePeople: z.number(),
      people: z.array(
        z.object({
          name: z.string(),
          email: z.string(),
          roles: z.array(z.object({ key: z.string(), title: z.string() })),
          cells: z.record(
            z.string(),
            z.object({ state: stateSchema, dueOn: z.string().nullable() }),
          ),
        }),
      ),
    }),
    handler: async ({ principal, query }) => {
      const unfiltered = await compliance.forSchool(principal);
      const filters = filtersFrom(query, {
        roles: unfiltered.roles.map((r) => r.key),
        kinds: unfiltered.allColumns.map((c) => c.key),
      });
      const r =
        Object.keys(filters).length > 0
          ? await compliance.forSchool(principal, filters)
          : unfiltered;
      return {
        today: r.today,
        policyVersion: r.policyVersion,
        view: r.view,
        columns: r.columns.map((c) => ({ key: c.key, label: c.label })),
        byRole: r.byRole.map((x) => ({
          role: x.role,
          title: x.title,
          people: x.people,
          counts: countsByColumn(x.counts),
        })),
        totals: { people: r.totals.people, counts: countsByColumn(r.totals.counts) },
        overduePeople: r.overduePeople,
        people:
          r.view === 'names'
            ? r.people.map((p) => ({
                name: p.name,
                email: p.email,
                roles: p.roles.map((x) => ({ key: x.key, title: x.title })),
                cells: Object.fromEntries(
                  Object.entries(p.cells).map(([k, c]) => [
                    k,
                    { state: c.state as z.infer<typeof stateSchema>, dueOn: c.dueOn },
                  ]),
                ),
              }))
            : [],
      };
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/trust/compliance',
    summary:
      'The trust’s figures per school: staff, staff overdue, and counts per column (no names)',
    access: canSeeTrustCompliance,
    response: z.object({
      organisationName: z.string(),
      columns: z.array(columnSchema),
      schools: z.array(
        z.object({
          name: z.string(),
          staff: z.number(),
          overduePeople: z.number(),
          counts: z.record(z.string(), countsSchema),
        }),
      ),
      withoutPolicy: z.array(z.string()),
      asOf: z.string(),
    }),
    handler: async ({ principal }) => {
      const t = await compliance.forTrust(principal);
      return {
        organisationName: t.organisationName,
        columns: t.columns.map((c) => ({ key: c.key, label: c.label })),
        schools: t.schools.map((s) => ({
          name: s.name,
          staff: s.staff,
          overduePeople: s.overduePeople,
          counts: countsByColumn(s.counts),
        })),
        withoutPolicy: t.withoutPolicy,
        asOf: t.asOf.toISOString(),
      };
    },
  });
}
