import { randomUUID } from 'node:crypto';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import type { FileStore } from '../platform/files/file-store.ts';

/**
 * A file part of a multipart body, streamed to a temporary file of the file store while it
 * arrived (never held in memory). `truncated`: it was longer than the route's limit and was cut
 * there. A route takes its files with {@link claimUploads}; whatever it does not claim is
 * discarded when the response ends (or the client goes away).
 */
export class UploadedFile {
  constructor(
    readonly tempName: string,
    readonly size: number,
    readonly sha256: string,
    /** As the browser sent it: for messages only, never stored (it can name a pupil). */
    readonly filename: string,
    readonly mimetype: string,
    readonly truncated: boolean,
  ) {}
}

interface RequestUploads {
  /** Temporary files of this request that no handler has claimed yet. */
  pending: Set<string>;
  /** The response has ended: a file that finishes arriving now is discarded at once. */
  closed: boolean;
  /** Frees this request's upload slot (idempotent). */
  release?: () => void;
  /** The form's CSRF token has been checked (before the first file byte is written). */
  csrfChecked: boolean;
  reply?: FastifyReply;
}

declare module 'fastify' {
  interface FastifyRequest {
    lanyardUploads: RequestUploads | null;
  }
}

/** After a refusal: how long, and how many bytes, the rest of a body is read and thrown away. */
const LINGER_MS = 2000;
const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * A request refused before its body was read: the body is discarded as it arrives (never kept),
 * and the connection is closed once the answer has gone and the client had time to read it, or
 * once 64 MB more arrive. Closing at once would reset the connection while the client is still
 * sending, and the client could lose the answer (the redirect to sign-in) with it.
 */
export function lingerThenClose(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0;
  if (!hasBody || raw.complete) return;
  let seen = 0;
  let answered = false;
  const close = () => {
    const socket = raw.socket as { destroy?: () => void } | null; // injected requests have none
    if (typeof socket?.destroy === 'function') socket.destroy();
  };
  raw.on('data', (chunk: Buffer) => {
    seen += chunk.length; // thrown away
    if (answered && seen > LINGER_BYTES) close();
  });
  reply.raw.once('finish', () => {
    answered = true;
    if (!raw.complete) setTimeout(close, LINGER_MS).unref();
  });
}

/** Files a route may receive with every other route's limits: none. */
const DEFAULT_LIMITS = {
  fileSize: 1,
  files: 0,
  fields: 40,
  fieldSize: 64 * 1024,
  parts: 60,
  headerPairs: 50,
};

/**
 * Per-route multipart limits for an upload route: `maxBytes` per file (the part is cut one byte
 * after it, so the form can say "too large" rather than an error page), at most `files` files.
 */
export function uploadRouteLimits(
  maxBytes: number,
  files: number,
  fields = 20,
): FastifyContextConfig['multipartOptions'] {
  return {
    limits: { fileSize: maxBytes + 1, files, fields, parts: files + fields },
    throwFileSizeLimit: false,
  } as FastifyContextConfig['multipartOptions'];
}

/** How many files a route accepts (its declared multipart limits; none by default). */
export function uploadFilesAllowed(request: FastifyRequest): number {
  const options = request.routeOptions.config?.multipartOptions as
    { limits?: { files?: number } } | undefined;
  return options?.limits?.files ?? 0;
}

function isUploadRoute(request: FastifyRequest): boolean {
  return uploadFilesAllowed(request) > 0;
}

/** How many uploads one person may send at once (issue 10 item 1), across every process. */
export const UPLOADS_AT_ONCE_PER_PERSON = 3;
/** A running upload's lease: renewed every third of this while the body arrives. */
export const UPLOAD_SLOT_LEASE_MS = 120_000;

/** Where running uploads are counted (PostgreSQL in the app: `UploadSlotsService`). */
export interface UploadSlotStore {
  /** A lease id, or null when `max` uploads of this person are already running. */
  acquire(personKey: string, max: number, ttlMs: number): Promise<string | null>;
  renew(id: string, ttlMs: number): Promise<void>;
  release(id: string): Promise<void>;
}

/** Counts in this process only: for tests and tools that run one process. */
export class InProcessUploadSlots implements UploadSlotStore {
  private readonly leases = new Map<string, string>();

  async acquire(personKey: string, max: number): Promise<string | null> {
    const running = [...this.leases.values()].filter((p) => p === personKey).length;
    if (running >= max) return null;
    const id = randomUUID();
    this.leases.set(id, personKey);
    return id;
  }

  async renew(): Promise<void> {}

  async release(id: string): Promise<void> {
    this.leases.delete(id);
  }
}

/**
 * Takes the uploaded files out of the request's care: from now on the caller commits or
 * discards them (a client that goes away no longer removes them under the caller's feet).
 */
export function claimUploads(request: FastifyRequest, files: readonly UploadedFile[]): void {
  for (const f of files) request.lanyardUploads?.pending.delete(f.tempName);
}

/**
 * Multipart bodies for the whole app. Runs after access has been checked (onRequest), so nothing
 * of a body is read for someone who may not send it. Each file part streams into a temporary
 * file; routes that accept files declare their limits ({@link uploadRouteLimits}); every other
 * route takes no file at all and a few small fields. One person has at most
 * {@link UPLOADS_AT_ONCE_PER_PERSON} uploads running (429 beyond, before the body is read).
 */
export async function registerUploads(
  app: FastifyInstance,
  files: FileStore,
  slots: UploadSlotStore = new InProcessUploadSlots(),
  tooMany: (
    request: FastifyRequest,
    reply: FastifyReply,
  ) => FastifyReply | Promise<FastifyReply> = (_q, reply) =>
    reply.status(429).send('Too many uploads at once'),
  /**
   * Checks the form's CSRF token (the `_csrf` field, which every upload form sends before its
   * files, or the x-csrf-token header) before the first byte of a file is written: an error to
   * refuse the request with, or null. The preHandler checks it again for every request.
   */
  checkCsrf?: (request: FastifyRequest, token: string | undefined) => Promise<Error | null>,
): Promise<void> {
  app.decorateRequest('lanyardUploads', null);

  const discardAll = (uploads: RequestUploads) => {
    uploads.closed = true;
    for (const name of uploads.pending) void files.discard(name).catch(() => undefined);
    uploads.pending.clear();
  };

  // Before the body is parsed (and after onRequest has said who is asking and that they may).
  app.addHook('preParsing', async (request, reply) => {
    // (isMultipart() is only known once the body parser has run, after this hook.)
    if (!/^multipart\//i.test(request.headers['content-type'] ?? '')) return;
    const uploads: RequestUploads = {
      pending: new Set(),
      closed: false,
      csrfChecked: false,
      reply,
    };
    request.lanyardUploads = uploads;
    if (isUploadRoute(request) && request.principal) {
      const person = `${request.principal.kind}:${request.principal.id}`;
      const lease = await slots.acquire(person, UPLOADS_AT_ONCE_PER_PERSON, UPLOAD_SLOT_LEASE_MS);
      if (!lease) {
        lingerThenClose(request, reply);
        reply.header('retry-after', '30');
        return tooMany(request, reply);
      }
      // Renewed while the body arrives; a process that dies leaves a lease that expires.
      const timer = setInterval(
        () => void slots.renew(lease, UPLOAD_SLOT_LEASE_MS).catch(() => undefined),
        UPLOAD_SLOT_LEASE_MS / 3,
      );
      timer.unref();
      let released = false;
      uploads.release = () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        void slots.release(lease).catch(() => undefined);
      };
      if (uploads.closed) uploads.release(); // the client went away while the slot was taken
    }
  });

  // The response has been sent, or the client went away (whichever comes first): what the route
  // did not claim goes, and the person's upload slot is free again.
  const finish = async (request: FastifyRequest) => {
    const uploads = request.lanyardUploads;
    if (!uploads) return;
    uploads.release?.();
    discardAll(uploads);
  };
  app.addHook('onResponse', finish);
  app.addHook('onRequestAbort', finish);

  await app.register(fastifyMultipart, {
    limits: DEFAULT_LIMITS,
    attachFieldsToBody: 'keyValues',
    onFile: async function (this: FastifyRequest, part) {
      const current = this.lanyardUploads;
      if (checkCsrf && current && !current.csrfChecked) {
        current.csrfChecked = true;
        const field = (part.fields as Record<string, unknown>)._csrf as
          { value?: unknown } | undefined;
        const token = typeof field?.value === 'string' ? field.value : undefined;
        const refused = await checkCsrf(this, token);
        if (refused) {
          part.file.resume(); // not written anywhere
          if (current.reply) lingerThenClose(this, current.reply); // nor the rest of the body
          throw refused;
        }
      }
      const temp = await files.writeTemp(part.file);
      const uploads = this.lanyardUploads;
      if (!uploads || uploads.closed) {
        await files.discard(temp.name);
      } else {
        uploads.pending.add(temp.name);
      }
      (part as unknown as { value: unknown }).value = new UploadedFile(
        temp.name,
        temp.size,
        temp.sha256,
        part.filename ?? '',
        part.mimetype ?? '',
        part.file.truncated,
      );
    },
  });
}
