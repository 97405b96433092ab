/**
 * @module
 * The HTTP API as `crvs start` serves it: the registry, the archive, certificates and the public
 * verification page on one Hono app. Built the same way in a single process (system.ts) and in
 * each of several API processes (http/api-processes.ts), so both serve the very same routes.
 */
import type { Hono } from 'hono';
import type { Config } from './config/env.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';
import { pingDatabase, type Listen, type Sql } from './database/client.ts';
import { pingObjectStore, type ObjectStore } from './objectstore/client.ts';
import { pingChain } from './chain/connection.ts';
import { contractAddress } from './chain/settings.ts';
import { createApp } from './http/app.ts';
import { registryRoutes } from './registry/routes.ts';
import type { FailedAuthenticationOptions } from './registry/http/failed-authentication.ts';
import { archiveRoutes } from '../scanner-pipeline/archive/routes.ts';
import { ARCHIVE_ROUTE_DOCS } from '../scanner-pipeline/archive/api-docs.ts';
import { CERTIFICATE_ROUTE_DOCS } from './certificates/api-docs.ts';
import { certificateRoutes } from './certificates/routes.ts';
import { publicVerificationRoutes } from './public-verification/routes.ts';
import type { PublicRateLimitOptions } from './public-verification/rate-limit.ts';

export interface ApiParts {
  sql: Sql;
  store: ObjectStore;
  /** How token revocations are heard (database/client.ts). */
  listen: Listen;
  /** The API's metrics (default: its own); an API process of several is given one the primary aggregates. */
  metrics?: Metrics;
  failedAuthentication?: FailedAuthenticationOptions;
  publicRateLimit?: PublicRateLimitOptions;
}

export function createApi(config: Config, logger: Logger, parts: ApiParts): Hono {
  const { sql, store } = parts;
  return createApp({
    logger,
    readiness: {
      database: () => pingDatabase(sql),
      objectStore: () => pingObjectStore(store),
      chain: () => pingChain(config.chain.rpcUrl),
    },
    routers: [
      registryRoutes({
        sql,
        logger,
        metrics: parts.metrics,
        failedAuthentication: parts.failedAuthentication,
        evidenceRetryAfterSeconds: Math.max(1, Math.ceil(config.batch.maxWaitMs / 1000)),
        tokenCache: { listen: parts.listen },
        alsoServed: [...ARCHIVE_ROUTE_DOCS, ...CERTIFICATE_ROUTE_DOCS],
      }),
      archiveRoutes({ sql, store }),
      certificateRoutes({ sql, publicBaseUrl: config.publicBaseUrl }),
      publicVerificationRoutes({ sql, rpcUrl: config.chain.rpcUrl, trustedContract: contractAddress(config), rateLimit: parts.publicRateLimit }),
    ],
  });
}
