import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../container.ts';
import { NotFoundError } from '../../errors.ts';
import { queryString } from '../people/people.routes.ts';
import { canListPupils, isClassScoped } from '../people/people.policy.ts';
import { canViewAudit } from './audit.policy.ts';
import { actionAreas, entityTypeInWords } from './audit-summary.ts';

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
    const q = auditQuery.parse(request.query);
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
    return reply.page('audit/views/audit.njk', {
      title: 'Audit log',
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
