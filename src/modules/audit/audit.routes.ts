import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError } from '../../errors.ts';
import { queryString } from '../../web/query-string.ts';
import { canListPupils, isClassScoped } from '../people/index.ts';
import { canViewAudit } from './audit.policy.ts';
import { actionAreas, entityTypeInWords } from './audit-summary.ts';
import { dateInputValues, readDateInput } from '../../web/date-input.ts';

const dateOnly = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(v)))
  .optional()
  .catch(undefined);

const auditQuery = z.object({
  action: z.string().max(60).optional().catch(undefined),
  entityType: z.string().max(60).optional().catch(undefined),
  from: dateOnly,
  to: dateOnly,
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

/** The audit log for Headteacher and DPO, with filters. */
export async function auditRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/audit', { config: { access: canViewAudit } }, async (request, reply) => {
    const p = request.principal!;
    if (p.kind === 'org_admin') throw new NotFoundError();
    const raw = (request.query ?? {}) as Record<string, unknown>;
    const q = auditQuery.parse(raw);
    // The filter form sends GOV.UK date inputs (`from-day` …); page links carry ISO dates.
    const errors: Record<string, string> = {};
    const dateFilter = (prefix: 'from' | 'to', what: string): string | undefined => {
      if (![`${prefix}-day`, `${prefix}-month`, `${prefix}-year`].some((k) => k in raw))
        return q[prefix];
      const r = readDateInput(raw, prefix, what);
      if ('error' in r) {
        errors[`${prefix}-day`] = r.error;
        return undefined;
      }
      return r.value ?? undefined;
    };
    q.from = dateFilter('from', 'the date to show entries from');
    q.to = dateFilter('to', 'the date to show entries up to');
    if (q.from && q.to && q.to < q.from && !errors['to-day'])
      errors['to-day'] = 'The date to show entries up to must be on or after the date from';
    const hasErrors = Object.keys(errors).length > 0;
    if (hasErrors) {
      q.from = undefined;
      q.to = undefined;
    }
    const to = q.to ? new Date(`${q.to}T00:00:00Z`) : undefined;
    if (to) to.setUTCDate(to.getUTCDate() + 1);
    const result = await services.audit.readLog(
      p.schoolId,
      {
        action: q.action,
        entityType: q.entityType,
        from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
        to,
      },
      q.page,
      // Pupils' names only to someone who may see every pupil of the school.
      { showPupils: canListPupils(p) && !isClassScoped(p) },
    );
    return reply.status(hasErrors ? 400 : 200).page('audit/views/audit.njk', {
      title: 'Audit log',
      errors: hasErrors ? errors : undefined,
      // What the person typed stays in the fields, even when it is not a real date.
      dates: hasErrors
        ? raw
        : { ...dateInputValues('from', q.from), ...dateInputValues('to', q.to) },
      result: {
        ...result,
        rows: result.entries,
        pages: Math.max(1, Math.ceil(result.total / result.pageSize)),
      },
      totalText: result.total.toLocaleString('en-GB'),
      checkpointEntries:
        result.checkpoint && 'entries' in result.checkpoint
          ? result.checkpoint.entries.toLocaleString('en-GB')
          : null,
      recordTypes: result.entityTypes.map((t) => ({ value: t, text: entityTypeInWords(t) })),
      actionAreas,
      query: q,
      pageUrl: `/audit${queryString({ action: q.action, entityType: q.entityType, from: q.from, to: q.to })}`,
    });
  });
}
