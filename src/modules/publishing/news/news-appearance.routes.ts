import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Services } from '../../registry.ts';
import { NotFoundError, type FieldErrors } from '../../../errors.ts';
import { formRoute } from '../../../web/form-route.ts';
import { staffActor, staffOf } from '../../../web/principal.ts';
import { uploadRouteLimits } from '../../../web/uploads.ts';
import type { StaffPrincipal } from '../../auth/index.ts';
import { mayReachChannels } from '../accounts/accounts.policy.ts';
import { LOGO_MAX_BYTES, readNewsAppearanceForm } from './news-appearance.forms.ts';

const TITLE = 'News page appearance';

/**
 * News page appearance (issue 12 item 7): the colour and logo of the school's public news page,
 * kept by those who manage the school's channels (the profile's credential custodian and the
 * Headteacher); the route lets any member of staff in and the handler asks the profile, so anyone
 * else gets a 404.
 */
export async function newsAppearanceRoutes(
  app: FastifyInstance,
  { services }: { services: Services },
) {
  const appearance = services.newsAppearance;

  const manager = async (p: unknown): Promise<StaffPrincipal> => {
    const principal = staffOf(p as StaffPrincipal);
    if (!(await services.channelAccounts.canManage(principal))) throw new NotFoundError();
    return principal;
  };

  const render = async (
    reply: FastifyReply,
    who: StaffPrincipal,
    values: Record<string, unknown>,
    errors?: FieldErrors,
  ) => {
    const [current, school] = await Promise.all([
      appearance.current(who.schoolId),
      services.peopleDirectory.getSchool(services.database.db, who.schoolId),
    ]);
    if (!school) throw new NotFoundError();
    return reply.page('publishing/news/views/news-appearance.njk', {
      title: TITLE,
      appearance: current,
      newsHome: `/news/${school.slug}`,
      logoSrc: current.logo
        ? `/news/${school.slug}/logo.png?v=${current.logo.sha256.slice(0, 16)}`
        : null,
      values,
      ...(errors ? { errors } : {}),
    });
  };

  app.get(
    '/channels/news-appearance',
    { config: { access: mayReachChannels } },
    async (request, reply) => {
      const who = await manager(request.principal);
      const current = await appearance.current(who.schoolId);
      return render(reply, who, { colour: current.colour ?? '' });
    },
  );

  formRoute(app, '/channels/news-appearance', {
    access: mayReachChannels,
    config: { multipartOptions: uploadRouteLimits(LOGO_MAX_BYTES, 1, 5) },
    who: staffOf,
    authorise: async ({ who }) => {
      await manager(who);
    },
    form: readNewsAppearanceForm,
    act: ({ who, value }) => appearance.set(who.schoolId, staffActor(who), value),
    done: (changed) => ({
      redirect: '/channels/news-appearance',
      flash:
        changed.length === 0
          ? 'Nothing has changed.'
          : 'The news page appearance is saved. The news page shows it within a few seconds.',
    }),
    render: (reply, { who, values, errors }) => render(reply, who, values, errors),
  });
}
