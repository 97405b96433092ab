/**
 * The server of tests/bench/registry.ts, one of its API processes (http/api-processes.ts, as
 * `API_PROCESSES` runs the API): the registry API as `crvs start` mounts it, and beside it the
 * baseline, a bare Hono route that parses the same JSON body and does one INSERT with the same
 * postgres.js client.
 */
import { Hono } from 'hono';
import postgres from 'postgres';
import type { Sql } from '../../services/database/client.ts';
import { createApp } from '../../services/http/app.ts';
import { serveApiProcess } from '../../services/http/api-process.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { createMetrics } from '../../services/observability/metrics.ts';
import { registryRoutes } from '../../services/registry/routes.ts';

export interface BenchServerSettings {
  databaseUrl: string;
  /** Connections of this process's pool. */
  pool: number;
  port: number;
}

await serveApiProcess(async (api) => {
  const settings = api.settings as BenchServerSettings;
  const sql = postgres(settings.databaseUrl, {
    max: settings.pool,
    onnotice: () => {},
    types: { bigint: postgres.BigInt },
    connection: { application_name: `crvs-bench-${api.index}` },
  }) as unknown as Sql;
  // Logs off: both routes would pay for them alike.
  const logger = createLogger('silent');
  const metrics = createMetrics({ sql, logger, cluster: api });
  const app = createApp({ logger, readiness: {}, routers: [registryRoutes({ sql, logger, metrics })] });
  const bare = new Hono().post('/bare', async (c) => {
    const body = await c.req.json();
    await sql`insert into bench_bare (body) values (${sql.json(body)})`;
    return c.json({ ok: true }, 201);
  });
  const root = new Hono().route('/', bare).route('/', app);
  return { fetch: root.fetch, hostname: '127.0.0.1', port: settings.port, registry: metrics.registry, close: () => sql.end({ timeout: 5 }) };
});
