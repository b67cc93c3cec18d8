import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import type { ApiRegistry } from '../../../web/api-registry.ts';
import { mayReachTakedowns } from './takedown.policy.ts';
import { markDoneForm, taskParams } from './takedown.forms.ts';
import type { TakedownListRow } from './takedown.service.ts';
import { outcomeWords, statusOf, whereInWords } from './takedown.routes.ts';

const taskSchema = z.object({
  id: z.uuid(),
  postId: z.uuid(),
  postTitle: z.string(),
  publicationId: z.uuid(),
  accountId: z.uuid(),
  where: z.string().meta({ description: 'The account in words, e.g. “School Facebook page”' }),
  remoteUrl: z.string().nullable(),
  reason: z.string().meta({ description: 'Why it comes down, in plain English' }),
  automatic: z
    .boolean()
    .meta({ description: 'Lanyard takes it down itself (else a person marks it done)' }),
  state: z.enum(['open', 'failed', 'done']),
  status: z.string().meta({ description: 'The state in words, as the takedown page shows it' }),
  dueAt: z.string(),
  overdue: z.boolean(),
  custodianName: z.string().nullable(),
  lastError: z
    .string()
    .nullable()
    .meta({ description: 'Why the last automatic removal failed, in plain English' }),
  doneAt: z.string().nullable(),
  doneByName: z.string().nullable(),
  doneNote: z.string().nullable(),
  outcome: z.string().nullable().meta({ description: 'How it came down, in words' }),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function shown(t: TakedownListRow, now: Date): z.input<typeof taskSchema> {
  return {
    id: t.id,
    postId: t.postId,
    postTitle: t.postTitle,
    publicationId: t.publicationId,
    accountId: t.accountId,
    where: whereInWords(t),
    remoteUrl: t.remoteUrl,
    reason: t.reason,
    automatic: t.automatic,
    state: t.state === 'done' || t.state === 'failed' ? t.state : 'open',
    status: statusOf(t).text,
    dueAt: t.dueAt.toISOString(),
    overdue: t.state !== 'done' && t.dueAt < now,
    custodianName: t.custodianName,
    lastError: t.lastError,
    doneAt: iso(t.doneAt),
    doneByName: t.doneByName,
    doneNote: t.doneNote,
    outcome: t.outcome ? (outcomeWords[t.outcome] ?? 'Taken down') : null,
  };
}

/**
 * Takedown tasks in the JSON API (issue 12 item 11): the tasks this person handles (the
 * Headteacher, the profile's credential custodian role, or whoever keeps the account), one task,
 * and marking a task done by hand with a note. Anyone else gets a 404, as on the pages.
 */
export function takedownApi(app: FastifyInstance, api: ApiRegistry, services: Services): void {
  const takedowns = services.takedowns;
  const now = () => services.clock.now();

  api.add(app, {
    method: 'GET',
    url: '/api/v1/takedowns',
    summary:
      'Takedown tasks this person handles: those due (soonest first) and the latest done, after a pupil’s consent changed',
    access: mayReachTakedowns,
    response: z.object({ due: z.array(taskSchema), done: z.array(taskSchema) }),
    handler: async ({ principal }) => {
      const page = await takedowns.page(principal);
      const at = now();
      return {
        due: page.due.map((t) => shown(t, at)),
        done: page.done.map((t) => shown(t, at)),
      };
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/takedowns/:id',
    summary: 'One takedown task: what comes down, from where, why, by when',
    access: mayReachTakedowns,
    params: taskParams,
    response: taskSchema,
    handler: async ({ principal, params }) =>
      shown(await takedowns.task(principal, params.id), now()),
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/takedowns/:id/done',
    summary:
      'Record that a post was taken down by hand, with a note of where and how (audited); automatic takedowns are Lanyard’s to finish',
    access: mayReachTakedowns,
    params: taskParams,
    authorise: async ({ principal, params }) => {
      await takedowns.task(principal, params.id);
    },
    body: markDoneForm,
    response: taskSchema,
    handler: async ({ principal, params, body }) => {
      await takedowns.markDone(principal, params.id, body.note);
      return shown(await takedowns.task(principal, params.id), now());
    },
  });
}
