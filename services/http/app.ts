/**
 * @module
 * The HTTP application: every capability's routes mounted on one Hono app, with errors rendered in
 * one place as RFC 9457 problem+json.
 */
import { Hono } from 'hono';
import type { Logger } from '../observability/logger.ts';
import { RegistryError } from '../errors.ts';
import { asRegistryError, problemResponse } from './problem.ts';
import { healthRoutes, type ReadinessCheck } from '../health/routes.ts';

export interface AppOptions {
  logger: Logger;
  readiness: Record<string, ReadinessCheck>;
  /** Capability routers mounted at the root (`/v1/...` paths are their own). */
  routers?: Hono[];
}

export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.route('/', healthRoutes({ checks: options.readiness }));
  for (const router of options.routers ?? []) app.route('/', router);

  app.notFound((c) => problemResponse(c, new RegistryError('not-found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    const problem = asRegistryError(error);
    if (problem.status >= 500) options.logger.error({ err: error, path: c.req.path }, 'request failed');
    return problemResponse(c, problem);
  });
  return app;
}
