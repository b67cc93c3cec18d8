import type { FastifyInstance } from 'fastify';
import type { Services } from '../modules/registry.ts';

/** Routes that answer without a session (app.ts skips loading one): they must not need the database to say it is away. */
export const healthUrls = new Set(['/healthz', '/readyz']);

/**
 * /healthz: liveness, the process is up and answering (never touches the database, so an
 * orchestrator does not restart Lanyard while PostgreSQL is away). /readyz: readiness, and the
 * database answers (503 while it does not: send no traffic).
 */
export async function healthRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) =>
    reply.send({ status: 'ok' }),
  );
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    const ok = await services.database.ping();
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unreachable' });
  });
}
