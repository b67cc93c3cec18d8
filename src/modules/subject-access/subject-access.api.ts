import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import type { ApiRegistry } from '../../web/api-registry.ts';
import { staffOf } from '../../web/principal.ts';
import { canHandleSubjectAccess, canViewSubjectAccess } from './subject-access.policy.ts';
import { logRequestSchema } from './subject-access.forms.ts';
import type { SubjectAccessView } from './subject-access.service.ts';

const requestSchema = z.object({
  id: z.string(),
  subjectKind: z.enum(['pupil', 'parent']),
  subjectId: z.string(),
  subjectName: z.string(),
  requesterName: z.string(),
  requesterRelationship: z.string(),
  receivedOn: z.string(),
  identityChecked: z.boolean(),
  dueOn: z.string(),
  extendedDueOn: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  timesProduced: z.number().int(),
  lastProducedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});
const out = (r: SubjectAccessView) => ({
  id: r.id,
  subjectKind: r.subjectKind as 'pupil' | 'parent',
  subjectId: (r.pupilId ?? r.parentId)!,
  subjectName: r.subjectName,
  requesterName: r.requesterName,
  requesterRelationship: r.requesterRelationship,
  receivedOn: r.receivedOn,
  identityChecked: r.identityChecked,
  dueOn: r.dueOn,
  extendedDueOn: r.extendedDueOn,
  status: r.status as 'open' | 'closed',
  timesProduced: r.timesProduced,
  lastProducedAt: r.lastProducedAt?.toISOString() ?? null,
  closedAt: r.closedAt?.toISOString() ?? null,
});

/** Subject access requests in the JSON API: the list (DPO, Headteacher) and logging (DPO). */
export function subjectAccessApi(app: FastifyInstance, api: ApiRegistry, services: Services) {
  const sar = services.subjectAccess;
  api.add(app, {
    method: 'GET',
    url: '/api/v1/subject-access',
    summary: 'The school’s subject access requests with their due dates (DPO and Headteacher)',
    access: canViewSubjectAccess,
    response: z.object({ requests: z.array(requestSchema) }),
    handler: async ({ principal }) => ({
      requests: (await sar.list(staffOf(principal))).map(out),
    }),
  });
  api.add(app, {
    method: 'POST',
    url: '/api/v1/subject-access',
    summary:
      'Log a subject access request (DPO): subject is "pupil:<id>" or "parent:<id>"; the due date is one calendar month after receivedOn',
    access: canHandleSubjectAccess,
    body: logRequestSchema,
    response: requestSchema,
    handler: async ({ principal, body }) => {
      const who = staffOf(principal);
      const row = await sar.log(who, body);
      return out(await sar.view(who, row.id));
    },
  });
}
