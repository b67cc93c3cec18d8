import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../../registry.ts';
import type { ApiRegistry } from '../../../web/api-registry.ts';
import { NotFoundError } from '../../../errors.ts';
import type { Principal } from '../../auth/index.ts';
import { draftApiBody, type DraftInput } from './posts.forms.ts';
import { mayReachPostApproval, mayReachPosts } from './posts.policy.ts';
import type { PostRow } from './posts.service.ts';

const statuses = [
  'draft',
  'pending',
  'returned',
  'approved',
  'published',
  'expired',
  'withdrawn',
] as const;

const postSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  body: z.string(),
  eventLabel: z.string().nullable(),
  kind: z.enum(['standard', 'reminder_to_parents']),
  status: z.enum(statuses),
  scheduledAt: z.string().nullable(),
  submittedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionComment: z.string().nullable(),
  publishedAt: z.string().nullable(),
});

const checkSchema = z.object({
  id: z.uuid(),
  key: z.string(),
  channelId: z.uuid().nullable(),
  outcome: z.enum(['pass', 'warning', 'fail']),
  sentence: z.string(),
  clause: z.string().nullable().meta({ description: 'The clause of the school’s own policy' }),
  overridable: z.boolean(),
  overridden: z.boolean(),
  overrideReason: z.string().nullable(),
});

const detailSchema = postSchema.extend({
  media: z.array(z.object({ mediaId: z.uuid(), altText: z.string() })),
  channels: z.array(z.object({ accountId: z.uuid(), name: z.string(), purpose: z.string() })),
  checks: z.array(checkSchema),
  publications: z.array(
    z.object({
      id: z.uuid(),
      accountId: z.uuid(),
      state: z.enum(['queued', 'delivering', 'live', 'failed', 'removing', 'removed']),
      remoteUrl: z.string().nullable(),
      lastError: z
        .string()
        .nullable()
        .meta({ description: 'Why delivery failed, in plain English' }),
      publishedAt: z.string().nullable(),
    }),
  ),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summary(p: PostRow): z.input<typeof postSchema> {
  return {
    id: p.id,
    title: p.title,
    body: p.body,
    eventLabel: p.eventLabel,
    kind: p.kind as 'standard' | 'reminder_to_parents',
    status: p.status as (typeof statuses)[number],
    scheduledAt: iso(p.scheduledAt),
    submittedAt: iso(p.submittedAt),
    expiresAt: iso(p.expiresAt),
    decidedAt: iso(p.decidedAt),
    decisionComment: p.decisionComment,
    publishedAt: iso(p.publishedAt),
  };
}

const idParams = z.object({ id: z.uuid() });

/** Posts in the JSON API: drafts, submit, approve, return, override, publish (issue 12 item 11). */
export function postsApi(app: FastifyInstance, api: ApiRegistry, services: Services): void {
  const posts = services.posts;

  const detail = async (p: Principal, id: string): Promise<z.input<typeof detailSchema>> => {
    const v = await posts.view(p, id);
    return {
      ...summary(v.post),
      media: v.media.map((m) => ({ mediaId: m.mediaId, altText: m.altText })),
      channels: v.channels.map((c) => ({
        accountId: c.account.id,
        name: c.account.name,
        purpose: c.purposeKey,
      })),
      checks: v.checks.map((c) => ({
        id: c.id,
        key: c.key,
        channelId: c.accountId,
        outcome: c.outcome as 'pass' | 'warning' | 'fail',
        sentence: c.sentence,
        clause: (c.citation as { clause?: string } | null)?.clause ?? null,
        overridable: c.overridable,
        overridden: c.overriddenAt !== null,
        overrideReason: c.overrideReason,
      })),
      publications: v.publications.map(({ publication: pub }) => ({
        id: pub.id,
        accountId: pub.accountId,
        state: pub.state as 'queued' | 'delivering' | 'live' | 'failed' | 'removing' | 'removed',
        remoteUrl: pub.remoteUrl,
        lastError: pub.lastError,
        publishedAt: iso(pub.publishedAt),
      })),
    };
  };

  api.add(app, {
    method: 'GET',
    url: '/api/v1/posts',
    summary: 'Posts this person may see (their own; every post for the approver), newest first',
    access: mayReachPosts,
    // Those the profile lets draft, and those who see every post; a 404 for anyone else.
    authorise: async ({ principal }) => {
      if (!(await posts.mayOpenPosts(principal))) throw new NotFoundError();
    },
    query: z.object({ status: z.enum(statuses).optional() }),
    response: z.object({ posts: z.array(postSchema) }),
    handler: async ({ principal, query }) => {
      const rows = await posts.list(principal, query.status ? [query.status] : undefined);
      return { posts: rows.map((r) => summary(r.post)) };
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/posts',
    summary: 'Draft a post: text, photos from the library with alt text, channels, a time',
    access: mayReachPosts,
    // Only a role the profile lets draft (`publishing.draftingRoles`), before the body is read.
    authorise: async ({ principal }) => {
      await posts.drafter(principal);
    },
    body: draftApiBody,
    response: detailSchema,
    handler: async ({ principal, body }) => {
      const post = await posts.createDraft(principal, body);
      return detail(principal, post.id);
    },
  });

  api.add(app, {
    method: 'GET',
    url: '/api/v1/posts/:id',
    summary: 'One post with its checks (sentence and the school’s clause) and publications',
    access: mayReachPosts,
    params: idParams,
    response: detailSchema,
    handler: async ({ principal, params }) => detail(principal, params.id),
  });

  api.add(app, {
    method: 'PATCH',
    url: '/api/v1/posts/:id',
    summary:
      'Change a draft or a returned post (its author only): the fields sent replace the stored ones; the checks are cleared',
    access: mayReachPosts,
    params: idParams,
    authorise: async ({ principal, params }) => {
      await posts.drafter(principal);
      await posts.ownPost(principal, params.id);
    },
    body: draftApiBody.partial(),
    response: detailSchema,
    handler: async ({ principal, params, body }) => {
      const v = await posts.view(principal, params.id);
      const given = Object.fromEntries(
        Object.entries(body).filter(([, value]) => value !== undefined),
      ) as Partial<DraftInput>;
      await posts.updateDraft(principal, params.id, {
        title: v.post.title,
        body: v.post.body,
        eventLabel: v.post.eventLabel,
        kind: v.post.kind as DraftInput['kind'],
        media: v.media.map((m) => ({ mediaId: m.mediaId, altText: m.altText })),
        accountIds: v.channels.map((c) => c.account.id),
        scheduledAt: v.post.scheduledAt,
        ...given,
      });
      return detail(principal, params.id);
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/posts/:id/submit',
    summary: 'Send a draft for approval: the checks run and the approver is emailed',
    access: mayReachPosts,
    params: idParams,
    response: detailSchema,
    handler: async ({ principal, params }) => {
      await posts.submit(principal, params.id);
      return detail(principal, params.id);
    },
  });

  const approver = async (p: Principal) => {
    if (!(await posts.isApprover(p))) throw new NotFoundError();
  };

  api.add(app, {
    method: 'POST',
    url: '/api/v1/posts/:id/approve',
    summary:
      'Approve a pending post (the profile’s approver; never their own). Every failing check must be overridden first.',
    access: mayReachPostApproval,
    params: idParams,
    body: z.object({ comment: z.string().trim().max(2000).optional() }),
    response: detailSchema,
    handler: async ({ principal, params, body }) => {
      await approver(principal);
      await posts.approve(principal, params.id, body.comment ? body.comment : null);
      return detail(principal, params.id);
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/posts/:id/return',
    summary: 'Return a pending post to its author with comments (the profile’s approver)',
    access: mayReachPostApproval,
    params: idParams,
    body: z.object({
      comment: z
        .string()
        .trim()
        .max(2000)
        .optional()
        .meta({ description: 'Required: what needs to change' }),
    }),
    response: detailSchema,
    handler: async ({ principal, params, body }) => {
      await approver(principal);
      await posts.returnPost(principal, params.id, body.comment ?? '');
      return detail(principal, params.id);
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/posts/:id/checks/:checkId/override',
    summary:
      'Override a failing check the profile marks overridable, with a written reason (audited)',
    access: mayReachPostApproval,
    params: z.object({ id: z.uuid(), checkId: z.uuid() }),
    body: z.object({
      reason: z
        .string()
        .trim()
        .max(1000)
        .optional()
        .meta({ description: 'Required: at least 10 characters, kept with the check and audited' }),
    }),
    response: detailSchema,
    handler: async ({ principal, params, body }) => {
      await approver(principal);
      await posts.override(principal, params.id, params.checkId, body.reason ?? '');
      return detail(principal, params.id);
    },
  });

  api.add(app, {
    method: 'POST',
    url: '/api/v1/posts/:id/publish',
    summary:
      'Publish an approved post now (its author or the approver), re-checking consent in the same transaction',
    access: mayReachPosts,
    params: idParams,
    response: detailSchema.extend({ published: z.boolean(), reason: z.string().nullable() }),
    handler: async ({ principal, params }) => {
      const result = await services.publishing.publishNow(principal, params.id);
      return {
        ...(await detail(principal, params.id)),
        published: result.published,
        reason: result.published ? null : result.reason,
      };
    },
  });
}
