import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  type FieldErrors,
} from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import { dateInputValues } from '../../../web/date-input.ts';
import { staffOf } from '../../../web/principal.ts';
import { canListPupils } from '../../people/index.ts';
import type { Principal, StaffPrincipal } from '../../auth/index.ts';
import { checkLabels } from '../checks/index.ts';
import {
  approveForm,
  overrideForm,
  parseDraftForm,
  postKindLabels,
  postKinds,
  returnForm,
} from './posts.forms.ts';
import { mayReachPostApproval, mayReachPosts } from './posts.policy.ts';
import { postStatusLabels, type PostStatus } from './posts.service.ts';

const idParams = z.object({ id: z.uuid() });
const previewParams = z.object({
  id: z.uuid(),
  mediaId: z.uuid(),
  purpose: z.string().regex(/^[a-z0-9_]{1,60}$/),
});

export const postStatusTags: Record<PostStatus, { text: string; classes: string }> = {
  draft: { text: postStatusLabels.draft, classes: 'govuk-tag--grey' },
  pending: { text: postStatusLabels.pending, classes: 'govuk-tag--yellow' },
  returned: { text: postStatusLabels.returned, classes: 'govuk-tag--orange' },
  approved: { text: postStatusLabels.approved, classes: 'govuk-tag--blue' },
  published: { text: postStatusLabels.published, classes: 'govuk-tag--green' },
  expired: { text: postStatusLabels.expired, classes: 'govuk-tag--red' },
  withdrawn: { text: postStatusLabels.withdrawn, classes: 'govuk-tag--grey' },
};

export const outcomeTags: Record<string, { text: string; classes: string }> = {
  pass: { text: 'Passes', classes: 'govuk-tag--green' },
  warning: { text: 'Warning', classes: 'govuk-tag--yellow' },
  fail: { text: 'Fails', classes: 'govuk-tag--red' },
};

export const publicationStateTags: Record<string, { text: string; classes: string }> = {
  queued: { text: 'Waiting to be sent', classes: 'govuk-tag--grey' },
  delivering: { text: 'Being sent', classes: 'govuk-tag--blue' },
  live: { text: 'Published', classes: 'govuk-tag--green' },
  failed: { text: 'Could not be sent', classes: 'govuk-tag--red' },
  removing: { text: 'Being taken down', classes: 'govuk-tag--orange' },
  removed: { text: 'Taken down', classes: 'govuk-tag--grey' },
};

/** The order the list shows its groups in. */
const listGroups: PostStatus[] = [
  'pending',
  'returned',
  'draft',
  'approved',
  'published',
  'expired',
];

/** Staff pages for posts: list by state, draft, the post with preview and checks, decisions. */
export async function postsRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const posts = services.posts;
  // Any member of staff reaches the posts routes; the school's profile decides who drafts
  // (`publishing.draftingRoles`): asked before the body is read (`schoolAccess`) where the
  // route is for drafters only, else by the service. Anyone it leaves out gets a 404.
  const mayOpenList = (s: Services, p: Principal) => s.posts.mayOpenPosts(p);
  const mayDraft = (s: Services, p: Principal) => s.posts.mayDraft(p);

  app.get(
    '/posts',
    { config: { access: mayReachPosts, schoolAccess: mayOpenList } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const rows = await posts.list(principal);
      const groups = listGroups
        .map((status) => ({
          status,
          label: postStatusLabels[status],
          rows: rows.filter((r) => r.post.status === status),
        }))
        .filter((g) => g.rows.length > 0);
      return reply.page('publishing/posts/views/list.njk', {
        title: 'Posts',
        groups,
        statusTags: postStatusTags,
        isApprover: await posts.isApprover(principal),
        mayDraft: await posts.mayDraft(principal),
      });
    },
  );

  const renderForm = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    values: Record<string, unknown>,
    options: { postId?: string; errors?: FieldErrors } = {},
  ) => {
    const [library, channels, labels] = await Promise.all([
      posts.libraryChoices(principal.schoolId),
      posts.channelChoices(principal.schoolId),
      posts.purposeLabels(principal.schoolId),
    ]);
    const asList = (v: unknown) => (Array.isArray(v) ? v : v ? [v] : []) as string[];
    const chosenMedia = asList(values.mediaIds);
    const chosenAccounts = asList(values.accountIds);
    return reply.page('publishing/posts/views/form.njk', {
      title: options.postId ? 'Change the post' : 'Write a post',
      postId: options.postId ?? null,
      values,
      library: library.map((m) => ({
        id: m.id,
        eventLabel: m.eventLabel,
        uploadedAt: m.uploadedAt,
        taggedPupils: m.taggedPupils,
        quarantined: m.quarantineReason !== null,
        swimwear: m.swimwear,
        checked: chosenMedia.includes(m.id),
        alt: typeof values[`alt-${m.id}`] === 'string' ? values[`alt-${m.id}`] : '',
      })),
      channelItems: channels.map((a) => ({
        value: a.id,
        text: a.name,
        hint: {
          text: `${labels.get(a.purposeKey) ?? a.purposeKey}${a.maxLength ? `; up to ${a.maxLength} characters` : ''}${a.maxImages !== null ? `; up to ${a.maxImages} photos` : ''}`,
        },
        checked: chosenAccounts.includes(a.id),
      })),
      kindItems: postKinds.map((k) => ({
        value: k,
        text: postKindLabels[k],
        checked: (values.kind ?? 'standard') === k,
      })),
      ...(options.errors ? { errors: options.errors } : {}),
    });
  };

  app.get(
    '/posts/new',
    { config: { access: mayReachPosts, schoolAccess: mayDraft } },
    async (request, reply) => renderForm(reply, staffOf(request.principal), { kind: 'standard' }),
  );

  const readDraft = (body: unknown) => parseDraftForm((body ?? {}) as Record<string, unknown>);

  formRoute(app, '/posts', {
    access: mayReachPosts,
    config: { schoolAccess: mayDraft },
    who: staffOf,
    form: readDraft,
    act: ({ who, value }) => posts.createDraft(who, value),
    done: (post) => ({
      redirect: `/posts/${post.id}`,
      flash: 'Your draft is saved. Check the preview, then send it for approval.',
    }),
    render: (reply, { who, values, errors }) => {
      // A conflict has no place on the empty form: the error page, as before.
      if (reply.statusCode === 409) throw new ConflictError(errors._form);
      return renderForm(reply, who, values, { errors });
    },
  });

  const postId = (params: unknown): string => {
    const parsed = idParams.safeParse(params);
    if (!parsed.success) throw new NotFoundError();
    return parsed.data.id;
  };

  const renderPost = async (
    reply: FastifyReply,
    principal: StaffPrincipal,
    id: string,
    errors?: FieldErrors,
    values: Record<string, unknown> = {},
  ) => {
    const view = await posts.view(principal, id);
    return reply.page('publishing/posts/views/post.njk', {
      title: view.post.title,
      ...view,
      values,
      statusTags: postStatusTags,
      outcomeTags,
      publicationStateTags,
      checkLabels,
      kindLabel: postKindLabels[view.post.kind as keyof typeof postKindLabels] ?? '',
      accountNames: new Map(view.channels.map((c) => [c.account.id, c.account.name])),
      channelName: Object.fromEntries(view.channels.map((c) => [c.account.id, c.account.name])),
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/posts/:id', { config: { access: mayReachPosts } }, async (request, reply) => {
    const principal = staffOf(request.principal);
    return renderPost(reply, principal, postId(request.params));
  });

  app.get('/posts/:id/edit', { config: { access: mayReachPosts } }, async (request, reply) => {
    const principal = staffOf(request.principal);
    const id = postId(request.params);
    const view = await posts.view(principal, id);
    if (!view.mayEdit) throw new NotFoundError();
    const p = view.post;
    const values: Record<string, unknown> = {
      title: p.title,
      body: p.body,
      eventLabel: p.eventLabel ?? '',
      kind: p.kind,
      mediaIds: view.media.map((m) => m.mediaId),
      accountIds: view.channels.map((c) => c.account.id),
      ...Object.fromEntries(view.media.map((m) => [`alt-${m.mediaId}`, m.altText])),
      ...(p.scheduledAt ? scheduledValues(p.scheduledAt) : {}),
    };
    return renderForm(reply, principal, values, { postId: id });
  });

  formRoute(app, '/posts/:id', {
    access: mayReachPosts,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await posts.drafter(who);
      await posts.ownPost(who, params.id);
    },
    form: readDraft,
    act: ({ who, params, value }) => posts.updateDraft(who, params.id, value),
    done: (_, { params }) => ({
      redirect: `/posts/${params.id}`,
      flash: 'Your changes are saved.',
    }),
    // Changed meanwhile (409): the post's page, with the message beside the post.
    render: (reply, { who, params, values, errors }) =>
      reply.statusCode === 409
        ? renderPost(reply, who, params.id, { post: errors._form! })
        : renderForm(reply, who, values, { postId: params.id, errors }),
  });

  /** A refusal of a button on the post's page: 409, its message beside the button (`field`). */
  const refusedAt =
    (field: string) =>
    (
      reply: FastifyReply,
      input: { who: StaffPrincipal; params: { id: string }; errors: FieldErrors },
    ) =>
      renderPost(reply, input.who, input.params.id, { [field]: input.errors._form! });
  /** A ValidationError from a button's service call is shown as a refusal (409), like a conflict. */
  const asConflict = async <T>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (e) {
      if (e instanceof ValidationError) throw new ConflictError(Object.values(e.fieldErrors)[0]!);
      throw e;
    }
  };

  formRoute(app, '/posts/:id/previews', {
    access: mayReachPosts,
    who: staffOf,
    params: idParams,
    form: z.object({}),
    act: ({ who, params }) => posts.preparePreviews(who, params.id),
    done: (refusals, { params }) => ({
      redirect: `/posts/${params.id}#preview`,
      flash:
        refusals.size === 0
          ? 'The previews show the blurred photos as they would go out.'
          : `${refusals.size === 1 ? 'One photo' : `${refusals.size} photos`} cannot be made publishable: ${[...refusals.values()][0]}`,
    }),
  });

  app.get(
    '/posts/:id/preview/:mediaId/:purpose',
    { config: { access: mayReachPosts } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const params = previewParams.safeParse(request.params);
      if (!params.success) throw new NotFoundError();
      const { id, mediaId, purpose } = params.data;
      const file = await posts.previewImage(principal, id, mediaId, purpose);
      return reply
        .type(file.contentType)
        .header('content-length', file.size)
        .header('cache-control', 'private, no-store')
        .send(file.stream);
    },
  );

  formRoute(app, '/posts/:id/submit', {
    access: mayReachPosts,
    who: staffOf,
    params: idParams,
    form: z.object({}),
    act: ({ who, params }) => asConflict(posts.submit(who, params.id)),
    done: (post, { params }) => ({
      redirect: `/posts/${params.id}`,
      flash:
        post.status === 'approved'
          ? 'Every check passes and the school’s policy does not need an approver, so the post is going out.'
          : 'Your post has been sent for approval. You will get an email when it has been decided.',
    }),
    render: refusedAt('submit'),
  });

  formRoute(app, '/posts/:id/checks', {
    access: mayReachPosts,
    who: staffOf,
    params: idParams,
    form: z.object({}),
    act: ({ who, params }) => posts.recheck(who, params.id),
    done: (_, { params }) => ({
      redirect: `/posts/${params.id}#checks`,
      flash: 'The checks have run again.',
    }),
  });

  /** Only the school's approvers decide; anyone else gets a 404, before the answers are read. */
  const approver = async ({ who }: { who: StaffPrincipal }) => {
    if (!(await posts.isApprover(who))) throw new NotFoundError();
  };
  /** A decision's form again: 400 with the answers kept, or 409 beside the decision. */
  const renderDecision = (
    reply: FastifyReply,
    {
      who,
      params,
      values,
      errors,
    }: {
      who: StaffPrincipal;
      params: { id: string };
      values: Record<string, unknown>;
      errors: FieldErrors;
    },
  ) =>
    reply.statusCode === 409
      ? renderPost(reply, who, params.id, { decision: errors._form! })
      : renderPost(reply, who, params.id, errors, values);

  formRoute(app, '/posts/:id/approve', {
    access: mayReachPostApproval,
    who: staffOf,
    params: idParams,
    authorise: approver,
    form: approveForm,
    act: ({ who, params, value }) => posts.approve(who, params.id, value.comment),
    done: (post, { params }) => ({
      redirect: `/posts/${params.id}`,
      flash:
        post.scheduledAt && post.scheduledAt > services.clock.now()
          ? 'The post is approved. It goes out at its scheduled time.'
          : 'The post is approved and is going out now.',
    }),
    render: renderDecision,
  });

  formRoute(app, '/posts/:id/return', {
    access: mayReachPostApproval,
    who: staffOf,
    params: idParams,
    authorise: approver,
    form: returnForm,
    act: ({ who, params, value }) => posts.returnPost(who, params.id, value.comment),
    done: (_, { params }) => ({
      redirect: `/posts/${params.id}`,
      flash: 'The post has been returned to its author with your comments.',
    }),
    render: renderDecision,
  });

  formRoute(app, '/posts/:id/override', {
    access: mayReachPostApproval,
    who: staffOf,
    params: idParams,
    authorise: approver,
    form: overrideForm,
    act: ({ who, params, value }) =>
      asConflict(posts.override(who, params.id, value.checkId, value.reason)),
    done: (_, { params }) => ({
      redirect: `/posts/${params.id}#checks`,
      flash: 'The check is overridden. Your reason is recorded.',
    }),
    // The message goes beside the check's reason box (or the decision, for an unknown check).
    render: (reply, { who, params, values, errors, request }) => {
      const checkId = (request.body as Record<string, unknown> | undefined)?.checkId;
      const field =
        typeof checkId === 'string' && /^[0-9a-f-]{36}$/.test(checkId)
          ? `reason-${checkId}`
          : 'decision';
      return reply.statusCode === 409
        ? renderPost(reply, who, params.id, { [field]: errors._form! })
        : renderPost(
            reply,
            who,
            params.id,
            { [field]: errors.reason ?? errors.checkId ?? 'Give the reason' },
            values,
          );
    },
  });

  formRoute(app, '/posts/:id/publish', {
    access: mayReachPosts,
    who: staffOf,
    params: idParams,
    form: z.object({}),
    act: ({ who, params }) => services.publishing.publishNow(who, params.id),
    done: (result, { params }) => ({
      redirect: `/posts/${params.id}`,
      flash: result.published
        ? 'The post is published. Each channel shows when it has gone out.'
        : result.reason,
    }),
    render: refusedAt('publish'),
  });

  // Where a pupil appears (the pupil's page links here): staff who may see that pupil.
  app.get(
    '/pupils/:id/publications',
    { config: { access: (p) => p.kind === 'staff' && canListPupils(p) } },
    async (request, reply) => {
      const principal = staffOf(request.principal);
      const id = postId(request.params);
      // The people module decides who may see this pupil (class scope): a 404 for anyone else.
      const record = await services.people.pupilRecord(principal, id);
      const appearances = await posts.appearancesOf(principal.schoolId, id);
      return reply.page('publishing/posts/views/pupil-appearances.njk', {
        title: `Where ${record.pupil.givenName} ${record.pupil.familyName} appears`,
        pupil: record.pupil,
        appearances,
        publicationStateTags,
      });
    },
  );
}

/** A stored moment → the date input's fields and the time, in UK local time. */
function scheduledValues(at: Date): Record<string, string> {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return {
    ...dateInputValues('scheduled', `${get('year')}-${get('month')}-${get('day')}`),
    scheduledTime: `${get('hour')}:${get('minute')}`,
  };
}
