import type { FastifyInstance } from 'fastify';
import type { Services } from '../registry.ts';
import { staffOf } from '../../web/principal.ts';
import { canUseConduct } from './conduct.policy.ts';
import { declarationRoutes } from './declarations/declarations.routes.ts';
import { permissionRoutes } from './permissions/permissions.routes.ts';
import { filteringRoutes } from './filtering/filtering.routes.ts';

/** The conduct pages: the overview, then declarations, permissions and filtering records. */
export async function conductRoutes(app: FastifyInstance, options: { services: Services }) {
  const { services } = options;
  app.get('/conduct', { config: { access: canUseConduct } }, async (request, reply) => {
    const who = staffOf(request.principal);
    const [offered, isReviewer, waiting, mayFiltering] = await Promise.all([
      services.conductDeclarations.kindsOffered(who.schoolId),
      services.conductDeclarations.isReviewer(who),
      services.conductPermissions.waitingFor(who, { names: false }),
      services.conductFiltering.mayView(who),
    ]);
    const [toReview, schedule] = await Promise.all([
      isReviewer ? services.conductDeclarations.countAwaitingReview(who.schoolId) : 0,
      mayFiltering ? services.conductFiltering.schedule(who.schoolId) : null,
    ]);
    return reply.page('conduct/views/conduct.njk', {
      title: 'Conduct',
      offered,
      toReview,
      waiting: waiting.signOff.length + waiting.decide.length,
      mayFiltering,
      schedule,
    });
  });
  await declarationRoutes(app, options);
  await permissionRoutes(app, options);
  await filteringRoutes(app, options);
}
