import type { FastifyInstance } from 'fastify';
import type { Services } from '../registry.ts';
import { formatCitation } from '../policies/index.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { canSeeTrustReport, mayOpenGovernorsReport } from './reports.policy.ts';
import { barChartSvg } from './reports-charts.ts';
import type { Report } from './reports-build.ts';
import { reportPdf } from './reports.pdf.ts';

const TITLE = 'Governors’ monitoring report';

/** Each table's chart SVG, keyed by table id (and a prefix, unique on the page). */
function chartsOf(report: Report, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of report.sections)
    for (const t of s.tables) out[t.id] = barChartSvg(t, `${prefix}chart-${t.id}`);
  return out;
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
      return reply
        .header('Cache-Control', 'private, no-store')
        .page('reports/views/governors.njk', {
          title: `${TITLE}: ${page.period.label}`,
          heading: TITLE,
          page,
          clause: clauseOf(page.rule),
          charts: chartsOf(page.report, ''),
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
