import type { FastifyInstance } from 'fastify';
import type { Services } from '../registry.ts';

/** The home page: what needs this person's attention. Signed-out visitors go to sign-in. */
export async function dashboardRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/', { config: { access: () => true } }, async (request, reply) => {
    const p = request.principal!;
    const [dashboard, forms] = await Promise.all([
      services.dashboard.forPrincipal(p),
      p.kind === 'parent' || p.kind === 'pupil'
        ? services.consentForm.formsWaiting({
            kind: p.kind,
            id: p.id,
            schoolId: p.schoolId,
            name: p.name,
          })
        : null,
    ]);
    return reply.page('dashboard/views/dashboard.njk', { title: 'Home', dashboard, forms });
  });
}
