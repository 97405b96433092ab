/**
 * @module
 * What every registry route shares: the request's variables, the dependencies the API factory is
 * given, and the router constructor that turns validation failures into problem documents.
 */
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Sql } from '../database/client.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Principal } from '../access/roles.ts';
import type { Authenticator } from '../access/tokens.ts';
import { validationHook } from './http/problems.ts';
import type { Office } from './offices.ts';
import type { Issued, NewRegistration } from './registrations.ts';

export interface RegistryVariables {
  requestId: string;
  /** Set by the bearer-token middleware on every `/v1/*` request that gets past it. */
  principal: Principal;
  /** A request-scoped child of the API's logger, carrying the request id. */
  log: Logger;
  /** True once the handler wrote the audit entry inside its own transaction. */
  audited: boolean;
  /** The record a request was about when its path does not name it (a repeated registration). */
  auditRecordId: string;
  /** A registration's `Idempotency-Key`, once checked (http/idempotency.ts). */
  idempotencyKey: string | undefined;
}

export type RegistryEnv = { Variables: RegistryVariables };

export interface RegistryDeps {
  sql: Sql;
  logger: Logger;
  metrics: Metrics;
  /** Seconds a client should wait before asking again for evidence that is not anchored yet. */
  evidenceRetryAfterSeconds: number;
}

export function newRouter(): OpenAPIHono<RegistryEnv> {
  return new OpenAPIHono<RegistryEnv>({ defaultHook: validationHook });
}

/**
 * Puts `route` in the OpenAPI document as declared, and gives it back for `app.openapi` without its
 * `request.headers`, so that no header validator is mounted: for a route whose headers a middleware
 * of its own reads (http/idempotency.ts says why).
 */
export function headersReadByMiddleware<R extends RouteConfig & { request: NonNullable<RouteConfig['request']> }>(
  app: OpenAPIHono<RegistryEnv>,
  route: R,
): Omit<R, 'request'> & { request: Omit<R['request'], 'headers'>; hide: true } {
  // As app.openapi registers a route: its middleware is how it is served, not what it documents.
  const { middleware: _served, ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  const { headers: _documentedOnly, ...request } = route.request;
  return { ...route, request, hide: true } as Omit<R, 'request'> & { request: Omit<R['request'], 'headers'>; hide: true };
}

/** The dependencies as the capability routers see them. */
export interface RouterDeps extends RegistryDeps {
  authenticate: Authenticator;
  office: (code: string) => Promise<Office | undefined>;
  /** Issues a registration through the group-commit queue (registration-queue.ts). */
  issue: (registration: NewRegistration) => Promise<Issued>;
}
