import type { FastifyReply, FastifyRequest } from 'fastify';

import { HOSTILE_CHARACTER } from '../platform/hostile-text.ts';

export { HOSTILE_CHARACTER, stripHostileCharacters } from '../platform/hostile-text.ts';

export const HOSTILE_INPUT_MESSAGE =
  'Your answer contains a character that cannot be accepted: a control character or a hidden text-direction mark. Remove it (retype the text rather than pasting it) and try again.';

const MAX_DEPTH = 20;

/**
 * The path of the first string (or key) holding a hostile character, or null. Walks plain objects
 * and arrays (query, params, urlencoded, JSON and multipart bodies); a file's bytes are not text
 * and are not looked at, but the file name the browser sent is.
 */
export function findHostileText(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return HOSTILE_CHARACTER.test(value) ? path || '_' : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const name = (value as { filename?: unknown }).filename;
    return typeof name === 'string' && HOSTILE_CHARACTER.test(name) ? path || '_' : null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findHostileText(item, path ? `${path}.${i}` : String(i), depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const here = path ? `${path}.${key}` : key;
    if (HOSTILE_CHARACTER.test(key)) return here;
    // A multipart field with attachFieldsToBody keeps its value on `.value`; files carry their
    // name on `.filename`; both are covered by walking the object.
    const found = findHostileText(item, here, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * The one edge check (a preHandler after access and CSRF): a request whose query string, path
 * parameters or body holds a hostile character is refused with 400 before any handler, service or
 * query sees it. Pages get the GOV.UK error page, the API RFC 9457 problem JSON.
 */
export async function refuseHostileInput(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  if (reply.sent) return undefined;
  const where =
    findHostileText(request.query, 'query') ??
    findHostileText(request.params, 'path') ??
    findHostileText(request.body, '');
  if (!where) return undefined;
  const title = 'There is a problem with what you entered';
  if (request.url.startsWith('/api/'))
    return reply
      .status(400)
      .type('application/problem+json')
      .send({
        type: 'about:blank',
        title,
        status: 400,
        detail: HOSTILE_INPUT_MESSAGE,
        errors: { [where]: HOSTILE_INPUT_MESSAGE },
      });
  return reply.status(400).page('errors/error.njk', {
    title,
    detail: HOSTILE_INPUT_MESSAGE,
    status: 400,
  });
}
