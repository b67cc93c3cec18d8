import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../registry.ts';
import type { SchoolCompliance, TrustCompliance } from './compliance.service.ts';
import { canSeeTrustCompliance, mayOpenCompliance } from './compliance.policy.ts';
import { complianceStates, type ComplianceState, type Filters } from './compliance-view.ts';
import { peopleCsv, rolesCsv, trustCsv } from './compliance-csv.ts';
import { stateLabels } from '../training/index.ts';
import { classLessonStates } from './pupils-parents-view.ts';

/**
 * The filters from the query string: a role, a kind (or the acknowledgement) and a state. An
 * unknown value is ignored (no filter), never echoed.
 */
export function filtersFrom(query: unknown, known: { roles: string[]; kinds: string[] }): Filters {
  const q = (query ?? {}) as Record<string, unknown>;
  const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const role = one(q.role);
  const kind = one(q.kind);
  const status = one(q.status);
  return {
    ...(role && known.roles.includes(role) ? { role } : {}),
    ...(kind && known.kinds.includes(kind) ? { kind } : {}),
    ...(status && (complianceStates as readonly string[]).includes(status)
      ? { status: status as ComplianceState }
      : {}),
  };
}

const sendCsv = (reply: FastifyReply, name: string, body: string) =>
  reply
    .header('Content-Type', 'text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${name}"`)
    .header('Cache-Control', 'private, no-store')
    .send(body);

/**
 * The page below the layout, rendered once per view the service hands out and reused while it
 * hands out the same one: the service keeps each school's view (a school's data at one cache
 * version, with one set of filters, names or counts) and each trust's figures (its schools at
 * one set of cache versions, on one day), and returns the same object until something they show
 * changes, so the key is the view itself and the entry goes with it. The body holds nothing
 * about the person asking (the layout around it, with their name, menu and CSRF token, is
 * rendered per request), and every request still passes the route's access check and the
 * service's own checks first.
 */
const pageBodies = new WeakMap<SchoolCompliance | TrustCompliance, Promise<string>>();

function pageBody(
  view: SchoolCompliance | TrustCompliance,
  render: () => Promise<string>,
): Promise<string> {
  let html = pageBodies.get(view);
  if (!html) {
    html = render();
    pageBodies.set(view, html);
    html.catch(() => pageBodies.delete(view));
  }
  return html;
}

/** The compliance pages: the school's view (names or counts) and the trust's figures. */
export async function complianceRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const compliance = services.compliance;

  /** The school's view with the query's filters (the first read learns the roles and kinds). */
  const schoolView = async (
    principal: Parameters<typeof compliance.forSchool>[0],
    query: unknown,
  ) => {
    const unfiltered = await compliance.forSchool(principal);
    const filters = filtersFrom(query, {
      roles: unfiltered.roles.map((r) => r.key),
      kinds: unfiltered.allColumns.map((c) => c.key),
    });
    const report =
      Object.keys(filters).length > 0 ? await compliance.forSchool(principal, filters) : unfiltered;
    return { report, filters };
  };

  app.get('/compliance', { config: { access: mayOpenCompliance } }, async (request, reply) => {
    const { report, filters } = await schoolView(request.principal!, request.query);
    const bodyHtml = pageBody(report, () => {
      const qs = new URLSearchParams(filters as Record<string, string>).toString();
      return app.view('compliance/views/compliance-body.njk', {
        report,
        filters,
        csvHref: `/compliance.csv${qs ? `?${qs}` : ''}`,
        stateLabels,
        classLessonStates,
        roleItems: [
          { value: '', text: 'All roles' },
          ...report.roles.map((r) => ({
            value: r.key,
            text: r.title,
            selected: filters.role === r.key,
          })),
        ],
        kindItems: [
          { value: '', text: 'All training and the policy' },
          ...report.allColumns.map((c) => ({
            value: c.key,
            text: c.label,
            selected: filters.kind === c.key,
          })),
        ],
        statusItems: [
          { value: '', text: 'Any' },
          ...complianceStates.map((s) => ({
            value: s,
            text: stateLabels[s].text,
            selected: filters.status === s,
          })),
        ],
      });
    });
    return reply.page('compliance/views/compliance.njk', {
      title: 'Training and policy compliance',
      bodyHtml: await bodyHtml,
    });
  });

  app.get('/compliance.csv', { config: { access: mayOpenCompliance } }, async (request, reply) => {
    const { report } = await schoolView(request.principal!, request.query);
    return report.view === 'names'
      ? sendCsv(reply, `compliance-${report.today}.csv`, peopleCsv(report))
      : sendCsv(reply, `compliance-by-role-${report.today}.csv`, rolesCsv(report));
  });

  app.get(
    '/trust/compliance',
    { config: { access: canSeeTrustCompliance } },
    async (request, reply) => {
      const trust = await compliance.forTrust(request.principal!);
      const bodyHtml = pageBody(trust, () =>
        app.view('compliance/views/trust-body.njk', { trust }),
      );
      return reply.page('compliance/views/compliance.njk', {
        title: 'Training and policy compliance by school',
        bodyHtml: await bodyHtml,
      });
    },
  );

  app.get(
    '/trust/compliance.csv',
    { config: { access: canSeeTrustCompliance } },
    async (request, reply) =>
      sendCsv(
        reply,
        'compliance-by-school.csv',
        trustCsv(await compliance.forTrust(request.principal!)),
      ),
  );
}
