/**
 * @module
 * What every registry route shares: the request's variables, the dependencies the API factory is
 * given, and the router constructor that turns validation failures into problem documents.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
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

/** The dependencies as the capability routers see them. */
export interface RouterDeps extends RegistryDeps {
  authenticate: Authenticator;
  office: (code: string) => Promise<Office | undefined>;
  /** Issues a registration through the group-commit queue (registrations.ts). */
  issue: (registration: NewRegistration) => Promise<Issued>;
}
