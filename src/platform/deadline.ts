/**
 * A signal that aborts after `ms` (with a `TimeoutError`, as `AbortSignal.timeout` does) or as soon
 * as any of `others` aborts (with its reason).
 *
 * Not `AbortSignal.any([AbortSignal.timeout(ms), …])`: on Node 20 and 22 the timeout signal inside
 * such a composite can be garbage collected before it fires (nodejs/node#57736), and then a server
 * that never answers holds the request, and the job that made it, for good. Here the timer holds
 * the controller itself. The timer is unref'd, so it never keeps a process alive on its own.
 */
export function deadlineSignal(
  ms: number,
  others: readonly (AbortSignal | null | undefined)[] = [],
): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')),
    ms,
  );
  timer.unref();
  for (const other of others) {
    if (!other) continue;
    if (other.aborted) {
      clearTimeout(timer);
      controller.abort(other.reason);
      break;
    }
    other.addEventListener('abort', () => controller.abort(other.reason), { once: true });
  }
  controller.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return controller.signal;
}
