/**
 * @module
 * Per-request observability for the registry API: a request id (taken from `x-request-id` when the
 * client sends a sane one, else a fresh UUID; echoed on every answer), a pino child logger that
 * carries it, one structured access-log line per request, and the Prometheus request metrics.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { requestId } from 'hono/request-id';
import type { Logger } from '../../observability/logger.ts';
import { observeRequest, type Metrics } from '../../observability/metrics.ts';
import type { RegistryEnv } from '../context.ts';

export interface ObserveOptions {
  logger: Logger;
  metrics: Metrics;
}

/** The route pattern that answered (`/v1/records/:id`), or `unmatched`: bounded metric labels. */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    // Middleware is registered for every method (`ALL`); the route that answers has its own.
    if (route.method !== 'ALL') return route.path;
  }
  return 'unmatched';
}

export const requestIds = (): MiddlewareHandler<RegistryEnv> =>
  // Accepted ids are at most 128 characters of [A-Za-z0-9_=-], so they are safe in logs and headers.
  requestId({ headerName: 'x-request-id', limitLength: 128 });

export const observe = (options: ObserveOptions): MiddlewareHandler<RegistryEnv> =>
  async function observe(c, next) {
    const started = performance.now();
    const log = options.logger.child({ requestId: c.get('requestId') });
    c.set('log', log);
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routePattern(c);
    const status = c.res.status;
    observeRequest(options.metrics, { method: c.req.method, route, status }, seconds);
    const principal = c.get('principal') as RegistryEnv['Variables']['principal'] | undefined;
    log[status >= 500 ? 'error' : 'info'](
      { method: c.req.method, path: c.req.path, route, status, ms: Math.round(seconds * 10_000) / 10, token: principal?.tokenId },
      'request',
    );
  };
