/**
 * @module
 * Rate limiting of the public routes per client address, so the page cannot be used to enumerate
 * records or to hammer the chain with evidence checks (hono-rate-limiter, fixed window).
 *
 * The counters live in this process's memory (hono-rate-limiter's MemoryStore): right for the one
 * API process of the embedded default and of a single-node deployment. The API processes of one
 * node (`API_PROCESSES`) share the limit out (api-process-entry.ts); several nodes behind a load
 * balancer each count on their own, so a client gets up to N × the limit: put the limit in the
 * balancer (or a shared store) there.
 *
 * The client is the TCP peer address, never `X-Forwarded-For`, which any client can write. IPv6
 * clients are counted per /64, the block one subscriber usually holds (RFC 6177), so hopping
 * through one's own addresses does not multiply the limit. Behind a reverse proxy every request
 * comes from the proxy; limit there instead.
 *
 * @example
 *   app.use('/verify/*', publicRateLimit({ limit: 30, windowMs: 60_000 }));
 */
import type { MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { RegistryError } from '../errors.ts';
import { clientKey } from '../http/client-address.ts';
import { problemResponse } from '../http/problem.ts';

/** Requests per window per client on the public routes, unless told otherwise. */
export const DEFAULT_PUBLIC_REQUESTS_PER_WINDOW = 30;

export interface PublicRateLimitOptions {
  /** Requests per window per client (default {@link DEFAULT_PUBLIC_REQUESTS_PER_WINDOW}). */
  limit?: number;
  /** Window length (default one minute). */
  windowMs?: number;
}

export const publicRateLimit = (options: PublicRateLimitOptions = {}): MiddlewareHandler => {
  const windowMs = options.windowMs ?? 60_000;
  return rateLimiter({
    windowMs,
    limit: options.limit ?? DEFAULT_PUBLIC_REQUESTS_PER_WINDOW,
    standardHeaders: 'draft-7',
    keyGenerator: clientKey,
    // RFC 6585 §4 with an RFC 9457 body; hono-rate-limiter has already set Retry-After (RFC 9110 §10.2.3).
    handler: (c) =>
      problemResponse(
        c,
        new RegistryError('rate-limited', `too many requests from this address: at most ${options.limit ?? 30} per ${Math.round(windowMs / 1000)} s`),
      ),
  });
};
