import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the code running for one request may know about it without being handed the request:
 * its id, so a job enqueued while handling it carries the id into the worker's log lines
 * (platform/jobs/queue.ts). Services never see the request itself (ARCHITECTURE rule 4).
 */
export interface RequestContext {
  requestId: string;
  /**
   * Cache versions (platform/db/versions.ts) read while handling this request, by scope: every
   * one was read after the request arrived, so later shared reads in the same request may use it
   * instead of reading the version again (ADR 0018).
   */
  versions: Map<string, Promise<number>>;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * Runs `fn` (and everything it awaits) as part of the request `requestId`. Entered twice for one
 * request (on arrival, and again before the handler in case body parsing lost the context), the
 * versions read so far are kept.
 */
export function runInRequest<T>(requestId: string, fn: () => T): T {
  const outer = storage.getStore();
  const versions = outer?.requestId === requestId ? outer.versions : new Map();
  return storage.run({ requestId, versions }, fn);
}

/** This request's cache versions read so far (undefined outside a request). */
export function requestVersions(): Map<string, Promise<number>> | undefined {
  return storage.getStore()?.versions;
}

/** The id of the request this code runs for, if any (none in jobs, the CLI and start-up). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
