/**
 * @module
 * What each of several API processes runs (`API_PROCESSES` above 1; system.ts starts them once the
 * database is migrated and the embedded services are up): the same API as a single process serves
 * (api.ts), on a database pool of its own.
 */
import type { Config } from './config/env.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { connectDatabase, listenOn } from './database/client.ts';
import { connectObjectStore } from './objectstore/client.ts';
import { DEFAULT_REFUSALS_PER_WINDOW } from './registry/http/failed-authentication.ts';
import { DEFAULT_PUBLIC_REQUESTS_PER_WINDOW } from './public-verification/rate-limit.ts';
import { serveApiProcess } from './http/api-process.ts';
import { createApi } from './api.ts';

await serveApiProcess(async (api) => {
  const config = api.settings as Config;
  const logger = createLogger(config.logLevel).child({ apiProcess: api.index });
  const sql = connectDatabase(config, { applicationName: `crvs-api-${api.index}` });
  const store = connectObjectStore(config);
  const metrics = createMetrics({ sql, logger, cluster: api });
  const app = createApi(config, logger, {
    sql,
    store,
    listen: listenOn(sql),
    metrics,
    // Each process counts what it sees; together they allow what one process would.
    failedAuthentication: { limit: Math.ceil(DEFAULT_REFUSALS_PER_WINDOW / api.count) },
    publicRateLimit: { limit: Math.ceil(DEFAULT_PUBLIC_REQUESTS_PER_WINDOW / api.count) },
  });
  return {
    fetch: app.fetch,
    hostname: config.http.host,
    port: config.http.port,
    registry: metrics.registry,
    close: async () => {
      store.client.destroy();
      await sql.end({ timeout: 5 });
    },
  };
});
