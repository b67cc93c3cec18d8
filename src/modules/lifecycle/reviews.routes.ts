import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Services } from '../registry.ts';
import { NotFoundError, type FieldErrors } from '../../errors.ts';
import { formRoute } from '../../web/form-route.ts';
import { staffOf } from '../../web/principal.ts';
import { formatDateInWords } from '../../web/dates.ts';
import { roleLabels, type StaffPrincipal, type StaffRole } from '../auth/index.ts';
import { canRecordReview, canSeeReviews } from './lifecycle.policy.ts';
import { approveForm, isoOf, reviewForm } from './lifecycle.forms.ts';

const reasonLabels = { scheduled: 'The scheduled review', early: 'An early review' } as const;

/**
 * Policy reviews (issue 16 item 3): the list with the next review date and whether the profile
 * asks for an early review now; recording a review (the profile's reviewers); approving it,
 * which sets the next review date.
 */
export async function reviewRoutes(app: FastifyInstance, { services }: { services: Services }) {
  const { policyReviews, policies } = services;

  app.get('/policy/reviews', { config: { access: canSeeReviews } }, async (request, reply) => {
    const who = staffOf(request.principal);
    const current = await policies.current(who.schoolId);
    const [reviews, early, isReviewer] = await Promise.all([
      policyReviews.list(who.schoolId),
      policyReviews.earlyReview(who.schoolId),
      policyReviews.isReviewer(who),
    ]);
    const titles = await services.policyScope.roleTitles(who.schoolId);
    // The reviewer roles, then any named responsibility whose holders review too, in words.
    const responsibilityNames = new Map(
      current.settings.people.responsibilities.value.map((r) => [r.key, r.label]),
    );
    return reply.page('lifecycle/views/reviews.njk', {
      title: 'Policy reviews',
      current,
      reviewerNames: [
        ...(current.settings.review.reviewers.value as string[]).map(
          (r) => titles?.[r as keyof typeof titles] ?? roleLabels[r as StaffRole] ?? r,
        ),
        ...current.settings.review.reviewerResponsibilities.value.map(
          (k) => responsibilityNames.get(k) ?? k,
        ),
      ].join(', '),
      reviews,
      early,
      isReviewer,
      reasonLabels,
    });
  });

  const renderNew = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const versions = await policies.versions(who.schoolId);
    const early = await policyReviews.earlyReview(who.schoolId);
    return reply.page('lifecycle/views/review-new.njk', {
      title: 'Record a policy review',
      versions,
      early,
      values: { reason: early.due ? 'early' : 'scheduled', ...values },
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/policy/reviews/new',
    { config: { access: canRecordReview } },
    async (request, reply) => {
      const who = staffOf(request.principal);
      if (!(await policyReviews.isReviewer(who))) throw new NotFoundError();
      return renderNew(reply, who);
    },
  );

  formRoute(app, '/policy/reviews/new', {
    access: canRecordReview,
    who: staffOf,
    authorise: async ({ who }) => {
      if (!(await policyReviews.isReviewer(who))) throw new NotFoundError();
    },
    form: reviewForm,
    act: ({ who, value }) =>
      policyReviews.record(who, {
        reason: value.reason,
        metOn: isoOf(value['metOn-day'], value['metOn-month'], value['metOn-year']),
        attendees: value.attendees,
        decisions: value.decisions,
        versions: value.versions,
      }),
    done: (row) => ({
      redirect: `/policy/reviews/${row.id}`,
      flash: 'The review is recorded. Approve it to set the next review date.',
    }),
    render: (reply, { who, values, errors }) => renderNew(reply, who, values, errors),
  });

  const idParams = z.object({ id: z.uuid() });
  const renderReview = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    id: string,
    values: Record<string, unknown> = {},
    errors?: FieldErrors,
  ) => {
    const review = await policyReviews.get(who.schoolId, id);
    const [isReviewer, current] = await Promise.all([
      policyReviews.isReviewer(who),
      policies.current(who.schoolId),
    ]);
    return reply.page('lifecycle/views/review.njk', {
      title: 'Policy review',
      review,
      isReviewer,
      cycleMonths: current.settings.review.cycleMonths.value,
      reasonLabels,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get('/policy/reviews/:id', { config: { access: canSeeReviews } }, async (request, reply) => {
    const params = idParams.safeParse(request.params);
    if (!params.success) throw new NotFoundError();
    return renderReview(reply, staffOf(request.principal), params.data.id);
  });

  formRoute(app, '/policy/reviews/:id/approve', {
    access: canRecordReview,
    who: staffOf,
    params: idParams,
    authorise: async ({ who, params }) => {
      await policyReviews.get(who.schoolId, params.id);
      if (!(await policyReviews.isReviewer(who))) throw new NotFoundError();
    },
    form: approveForm,
    act: ({ who, params, value }) => {
      const typed = value['next-day'] || value['next-month'] || value['next-year'];
      return policyReviews.approve(who, params.id, {
        nextReviewDate: typed
          ? isoOf(value['next-day'], value['next-month'], value['next-year'])
          : undefined,
      });
    },
    done: (next, { params }) => ({
      redirect: `/policy/reviews/${params.id}`,
      flash: `The review is approved. The next review is due by ${formatDateInWords(next)}.`,
    }),
    render: (reply, { who, params, values, errors }) =>
      renderReview(reply, who, params.id, values, errors),
  });
}
