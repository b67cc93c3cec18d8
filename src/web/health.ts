import type { FastifyInstance } from 'fastify';
import type { Services } from '../container.ts';

/** /healthz: the process is up. /readyz: and the database answers. */
export async function healthRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) =>
    reply.send({ status: 'ok' }),
  );
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    const ok = await services.database.ping();
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unreachable' });
  });
}
