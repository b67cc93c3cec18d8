import type { FastifyInstance } from 'fastify';
import type { Services } from '../registry.ts';
import { formatCitation } from '../policies/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { canSeeTrustReport, mayOpenGovernorsReport } from './reports.policy.ts';
import { barChartSvg } from './reports-charts.ts';
import type { Report } from './reports-build.ts';
import { reportPdf } from './reports.pdf.ts';

const TITLE = 'Governors’ monitoring report';

/**
 * Each table's chart SVG, keyed by table id (and a prefix, unique on the page). Kept with the
 * report they are drawn from (a kept report is a frozen value, reports.service.ts), so a report
 * answered from memory is not drawn again; collected with it.
 */
const drawn = new WeakMap<Report, Map<string, Record<string, string>>>();
function chartsOf(report: Report, prefix: string): Record<string, string> {
  let byPrefix = drawn.get(report);
  if (!byPrefix) drawn.set(report, (byPrefix = new Map()));
  let out = byPrefix.get(prefix);
  if (!out) {
    out = {};
    for (const s of report.sections)
      for (const t of s.tables) out[t.id] = barChartSvg(t, `${prefix}chart-${t.id}`);
    byPrefix.set(prefix, out);
  }
  return out;
}

/**
 * The school report's sections as HTML, rendered once for each kept report and reused while the
 * service hands out the same one (a kept report is the same object until the school's version
 * moves, reports.service.ts); the fragment holds nothing about the person asking, and every
 * request passes the access check and the profile's rule first. Collected with the report.
 */
const sectionsHtml = new WeakMap<Report, Promise<string>>();
function sectionsOf(report: Report, render: () => Promise<string>): Promise<string> {
  let html = sectionsHtml.get(report);
  if (!html) {
    html = render();
    sectionsHtml.set(report, html);
    html.catch(() => sectionsHtml.delete(report));
  }
  return html;
}

/** The governors' monitoring report: the school's page and PDF, and the trust's figures. */
export async function reportRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const reports = services.reports;

  /** Why governors see this: the profile rule's citation, its words or its note. */
  const clauseOf = (rule: { citation?: unknown } | null) => {
    const c = rule?.citation as Parameters<typeof formatCitation>[0] | undefined;
    if (!c) return undefined;
    const words = c.quote ? `“${c.quote}”` : (c.note ?? '');
    return `Governors receive this report under the school’s policy (${formatCitation(c)})${words ? `: ${words}` : '.'}`;
  };

  app.get(
    '/reports/governors',
    { config: { access: mayOpenGovernorsReport } },
    async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const page = await reports.forSchool(request.principal!, query.period);
      const html = await sectionsOf(page.report, () =>
        app.view('reports/views/_sections.njk', {
          report: page.report,
          charts: chartsOf(page.report, ''),
        }),
      );
      return reply
        .header('Cache-Control', 'private, no-store')
        .page('reports/views/governors.njk', {
          title: `${TITLE}: ${page.period.label}`,
          heading: TITLE,
          page,
          clause: clauseOf(page.rule),
          sectionsHtml: html,
          pdfHref: `/reports/governors.pdf?period=${page.period.key}`,
        });
    },
  );

  app.get(
    '/reports/governors.pdf',
    { config: { access: mayOpenGovernorsReport } },
    async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const page = await reports.forSchool(request.principal!, query.period);
      const clause = clauseOf(page.rule);
      const bytes = await reportPdf({
        title: `${TITLE}: ${page.period.label}`,
        schoolName: page.schoolName,
        report: page.report,
        ...(clause ? { clause } : {}),
        generatedOn: formatDateInWords(reports.today()),
      });
      return reply
        .header('content-type', 'application/pdf')
        .header('Cache-Control', 'private, no-store')
        .header(
          'content-disposition',
          `attachment; filename="governors-report-${page.period.key}.pdf"`,
        )
        .send(bytes);
    },
  );

  app.get('/trust/reports', { config: { access: canSeeTrustReport } }, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const trust = await reports.forTrust(request.principal!, query.period);
    return reply.header('Cache-Control', 'private, no-store').page('reports/views/trust.njk', {
      title: `${TITLE}: the trust, ${trust.period.label}`,
      heading: TITLE,
      trust,
      charts: chartsOf(trust.total, 'total-'),
    });
  });
}
