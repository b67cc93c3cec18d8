import type { FastifyInstance } from 'fastify';
import type { Services } from '../../container.ts';

/** The home page: what needs this person's attention. Signed-out visitors go to sign-in. */
export async function dashboardRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/', { config: { access: () => true } }, async (request, reply) => {
    const dashboard = await services.dashboard.forPrincipal(request.principal!);
    return reply.page('dashboard/views/dashboard.njk', { title: 'Home', dashboard });
  });
}
