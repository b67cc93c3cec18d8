import type { FastifyInstance } from 'fastify';
import type { Services } from '../modules/registry.ts';

/** Development only (registered when NODE_ENV=development): the local SMTP sink's outbox. */
export async function devRoutes(app: FastifyInstance, { services }: { services: Services }) {
  app.get('/dev/outbox', { config: { access: 'public' } }, async (_request, reply) => {
    const messages = [...(services.mailSink?.messages ?? [])].reverse().map((m) => ({
      ...m,
      lines: m.text.split('\n').map((line) => ({
        text: line,
        href: /^https?:\/\/\S+$/.test(line.trim()) ? line.trim() : null,
      })),
    }));
    return reply.page('dev-outbox.njk', { title: 'Outbox (development only)', messages });
  });
}
