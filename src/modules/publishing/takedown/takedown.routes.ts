import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../registry.ts';
import type { FieldErrors } from '../../../errors.ts';
import { NotFoundError } from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import { staffOf } from '../../../web/principal.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { mayReachTakedowns } from './takedown.policy.ts';
import { markDoneForm, taskParams } from './takedown.forms.ts';
import type { TakedownListRow } from './takedown.service.ts';

const channelWords: Record<string, string> = {
  news: 'School news page',
  webhook: 'Webhook',
  newsletter: 'Newsletter',
  wordpress: 'WordPress',
  bluesky: 'Bluesky',
};

/** "School Facebook page (Facebook, @oakfield)": the account in words. */
export function whereInWords(
  t: Pick<TakedownListRow, 'accountName' | 'accountKind' | 'platform' | 'handle'>,
): string {
  const platform = t.platform ?? channelWords[t.accountKind] ?? 'Social media';
  const detail = [platform !== t.accountName ? platform : null, t.handle]
    .filter(Boolean)
    .join(', ');
  return detail ? `${t.accountName} (${detail})` : t.accountName;
}

export function statusOf(t: Pick<TakedownListRow, 'state' | 'automatic'>): {
  text: string;
  classes: string;
} {
  if (t.state === 'done') return { text: 'Taken down', classes: 'govuk-tag--green' };
  if (t.state === 'failed') return { text: 'Failed, trying again', classes: 'govuk-tag--red' };
  return t.automatic
    ? { text: 'Being taken down', classes: 'govuk-tag--blue' }
    : { text: 'To do', classes: 'govuk-tag--orange' };
}

/** How a takedown came down, in words (the pages and the JSON API). */
export const outcomeWords: Record<string, string> = {
  removed: 'Taken down',
  republished_blurred: 'Published again with the pupil blurred',
  already_gone: 'Already taken down',
};

function shown(t: TakedownListRow) {
  return {
    ...t,
    where: whereInWords(t),
    status: statusOf(t),
    outcomeText: t.outcome ? (outcomeWords[t.outcome] ?? 'Taken down') : '',
  };
}

/** The takedown pages: what is due and done, and marking a task done by hand with a note. */
export async function takedownRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const takedowns = services.takedowns;

  app.get('/posts/takedowns', { config: { access: mayReachTakedowns } }, async (request, reply) => {
    const page = await takedowns.page(staffOf(request.principal));
    return reply.page('publishing/takedown/views/takedowns.njk', {
      title: 'Takedowns',
      due: page.due.map((t) => ({ ...shown(t), overdue: t.overdue })),
      done: page.done.map(shown),
      everyAccount: page.everyAccount,
    });
  });

  const renderTask = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    id: string,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const task = await takedowns.task(who, id);
    return reply.page('publishing/takedown/views/takedown.njk', {
      title: `Takedown: ${task.postTitle}`,
      task: shown(task),
      canMarkDone: !task.automatic && task.state !== 'done',
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/posts/takedowns/:id',
    { config: { access: mayReachTakedowns } },
    async (request, reply) => {
      const r = taskParams.safeParse(request.params);
      if (!r.success) throw new NotFoundError();
      return renderTask(reply, staffOf(request.principal), r.data.id);
    },
  );

  formRoute(app, '/posts/takedowns/:id/done', {
    access: mayReachTakedowns,
    who: staffOf,
    params: taskParams,
    authorise: async ({ who, params }) => {
      await takedowns.task(who, params.id);
    },
    form: markDoneForm,
    act: ({ who, params, value }) => takedowns.markDone(who, params.id, value.note),
    done: (task) => ({
      redirect: '/posts/takedowns',
      flash: `“${task.postTitle}” is recorded as taken down from ${task.accountName}.`,
    }),
    render: (reply, { who, params, values, errors }) =>
      renderTask(reply, who, params.id, values, errors),
  });
}
