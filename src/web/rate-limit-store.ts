import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { clientKey } from '../modules/auth/sign-in-throttle.ts';

/** Where the counters live: PostgreSQL, through the auth service (`rate_limit_hits`). */
export interface RateLimitCounters {
  hitRateLimit(key: string, windowMs: number): Promise<{ current: number; ttl: number }>;
  peekRateLimit(key: string, windowMs: number): Promise<{ current: number; ttl: number }>;
}

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store whose counters are rows in PostgreSQL, so a limit such as
 * `LOGIN_RATE_LIMIT` counts every request from an address whichever process answers it
 * (ARCHITECTURE rule 14). Each route has its own counters; the client is `request.ip`, which
 * TRUST_PROXY decides, kept to its /64 for IPv6.
 */
export function postgresRateLimitStore(counters: RateLimitCounters): FastifyRateLimitStoreCtor {
  class PostgresRateLimitStore {
    private readonly prefix: string;

    constructor(options: { routeInfo?: { method?: string | string[]; url?: string } } = {}) {
      const route = options.routeInfo;
      this.prefix = route ? `${[route.method].flat().join(',')} ${route.url ?? ''}|` : 'global|';
    }

    incr(key: string, callback: Callback, timeWindow: number): void {
      counters.hitRateLimit(this.prefix + clientKey(key), timeWindow).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }

    read(key: string, callback: Callback, timeWindow: number): void {
      counters.peekRateLimit(this.prefix + clientKey(key), timeWindow).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }

    child(routeOptions: { routeInfo?: { method?: string | string[]; url?: string } }) {
      return new PostgresRateLimitStore(routeOptions);
    }
  }
  return PostgresRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}
