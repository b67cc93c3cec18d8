import type { FastifyReply } from 'fastify';

/** Sets a one-request message (signed cookie) shown by the next page's notification banner. */
export function flash(reply: FastifyReply, message: string): void {
  reply.setCookie('lanyard_flash', message, {
    signed: true,
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
  });
}
