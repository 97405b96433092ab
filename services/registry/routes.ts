/**
 * @module
 * The registry officers' HTTP API (issue 4), as one Hono router for `createApp`:
 *
 *   POST /v1/births · POST /v1/marriages · GET /v1/records · GET /v1/records/:id
 *   POST /v1/records/:id/corrections · GET /v1/records/:id/evidence · /v1/tokens
 *   GET /openapi.json (OpenAPI 3.1, generated from the zod schemas) · GET /docs · GET /metrics
 *
 * Every `/v1` request needs a bearer token; every one that could change something is written to
 * the audit trail with its outcome; bodies are JSON of at most 64 KiB; every error is an RFC 9457
 * problem document.
 *
 * @example
 *   createApp({ logger, readiness, routers: [registryRoutes({ sql, logger })] });
 */
import type { RouteConfig } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { Sql } from '../database/client.ts';
import type { Logger } from '../observability/logger.ts';
import { createMetrics, metricsHandler, type Metrics } from '../observability/metrics.ts';
import { cachedAuthenticator, type TokenCacheOptions } from '../access/tokens.ts';
import { RegistryError } from '../errors.ts';
import { problemResponse } from '../http/problem.ts';
import { newRouter, type RouterDeps } from './context.ts';
import { observe, requestIds } from './http/observe.ts';
import { auditTrail, bearerAuth } from './http/guard.ts';
import { FailedAuthentications, type FailedAuthenticationOptions } from './http/failed-authentication.ts';
import { bodyLimit } from './http/body-limit.ts';
import { registryErrorHandler } from './http/problems.ts';
import { officeDirectory } from './offices.ts';
import { registrationQueue } from './registration-queue.ts';
import { birthRoutes } from './births/routes.ts';
import { marriageRoutes } from './marriages/routes.ts';
import { recordRoutes } from './records/routes.ts';
import { correctionRoutes } from './records/corrections.ts';
import { searchRoutes } from './records/search.ts';
import { tokenRoutes } from './tokens/routes.ts';
import { OPENAPI_INFO } from './openapi.ts';
import { apiDocs } from './http/docs.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;

export interface RegistryOptions {
  sql: Sql;
  logger: Logger;
  /** Defaults to a fresh registry; pass one to share it with other parts of the process. */
  metrics?: Metrics;
  bodyLimitBytes?: number;
  /** Retry-After of the evidence route while a version is not anchored (default 5 s). */
  evidenceRetryAfterSeconds?: number;
  /**
   * Valid tokens are remembered for `ttlMs` (default 5 s). With `listen` (not for the embedded
   * database), a revocation anywhere reaches this process at once; without, within `ttlMs`.
   */
  tokenCache?: Pick<TokenCacheOptions, 'ttlMs' | 'listen'>;
  /**
   * Routes that other routers of the same app serve under `/v1` (the archive, certificates), to be
   * listed in `/openapi.json` beside the registry's own: one document for the whole API.
   */
  alsoServed?: readonly RouteConfig[];
  /** Refused authentications allowed per client address and window (default 60 a minute). */
  failedAuthentication?: FailedAuthenticationOptions;
}

export function registryRoutes(options: RegistryOptions): Hono {
  const metrics = options.metrics ?? createMetrics({ sql: options.sql, logger: options.logger });
  const authenticate = cachedAuthenticator(options.sql, {
    ...options.tokenCache,
    onListenError: (err) => options.logger.warn({ err }, 'token revocations are not heard: revoked tokens expire from the cache instead'),
  });
  const deps: RouterDeps = {
    authenticate,
    sql: options.sql,
    logger: options.logger,
    metrics,
    evidenceRetryAfterSeconds: options.evidenceRetryAfterSeconds ?? 5,
    office: officeDirectory(options.sql),
    issue: registrationQueue(options.sql),
  };
  const maxSize = options.bodyLimitBytes ?? BODY_LIMIT_BYTES;

  const api = newRouter();
  api.onError(registryErrorHandler(options.logger));
  api.use('*', requestIds(), observe({ logger: options.logger, metrics }));
  api.use(
    '/v1/*',
    auditTrail({ sql: options.sql }),
    bodyLimit({
      maxSize,
      onError: (c) => problemResponse(c, new RegistryError('payload-too-large', `the body is over ${maxSize} bytes`, { details: { limit: maxSize } })),
    }),
    bearerAuth({ sql: options.sql, authenticate, failures: new FailedAuthentications(options.failedAuthentication) }),
  );
  for (const routes of [birthRoutes, marriageRoutes, searchRoutes, recordRoutes, correctionRoutes, tokenRoutes]) api.route('/', routes(deps));

  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A token from `crvs token create --role ROLE --office CODE --name NAME` (crvs_...).',
  });
  for (const route of options.alsoServed ?? []) api.openAPIRegistry.registerPath(route);
  api.doc31('/openapi.json', OPENAPI_INFO);
  api.get('/metrics', metricsHandler(metrics));

  return new Hono().route('/', api).route('/', apiDocs({ specUrl: '/openapi.json', title: 'Civil registry API' }));
}
