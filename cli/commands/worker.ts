/**
 * `crvs worker anchor`: runs only the anchor worker, as its own process (production runs the API,
 * the anchor worker and the OCR workers separately), until Ctrl-C or SIGTERM; with
 * ANCHOR_WORKER_METRICS_PORT, its metrics are served for Prometheus, as `crvs start` serves them.
 */
import type { Command } from 'commander';
import { connectDatabase, pingDatabase } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { startAnchorWorker } from '../../services/ledger/anchor-worker.ts';
import { Hono } from 'hono';
import type { Config } from '../../services/config/env.ts';
import type { Sql } from '../../services/database/client.ts';
import { closeServer, serveHttp } from '../../services/http/api-process.ts';
import type { AnchorWorkerMetrics } from '../../services/ledger/anchor-metrics.ts';
import { anchorWorkerProcessMetrics, metricsHandler } from '../../services/observability/metrics.ts';
import type { Logger } from '../../services/observability/logger.ts';
import { runUntilStopped } from '../long-running.ts';

/** The `worker` group; other workers add their subcommand to the returned command. */
export function registerWorker(program: Command): Command {
  const worker = program.command('worker').description('run one background worker as its own process');
  registerAnchorWorker(worker);
  return worker;
}

function registerAnchorWorker(worker: Command): void {
  worker
    .command('anchor')
    .description('seal pending record versions into Merkle batches and anchor their roots on the chain, until stopped')
    .action(() =>
      runUntilStopped(async (config, logger) => {
        const sql = connectDatabase(config, { applicationName: 'crvs-anchor-worker' });
        await pingDatabase(sql);
        await migrate(sql); // concurrent starts apply each migration once (advisory lock)
        const running = startAnchorWorker(config, sql, logger);
        // Its state (halted, anchoring, chain reachable) is otherwise only in its log.
        const server = config.anchorWorkerMetricsPort === undefined ? undefined : await serveMetrics(config, sql, logger, running.metrics).catch(async (error: unknown) => {
          await running.stop();
          await sql.end({ timeout: 5 });
          throw error;
        });
        logger.info({ rpcUrl: config.chain.rpcUrl, ...(server && { metrics: `http://${config.http.host}:${config.anchorWorkerMetricsPort}/metrics` }) }, 'anchor worker started');
        return {
          async stop() {
            if (server) await closeServer(server);
            await running.stop();
            await sql.end({ timeout: 5 });
          },
        };
      }),
    );
}

/** GET /metrics on HOST:ANCHOR_WORKER_METRICS_PORT, for Prometheus to scrape. */
function serveMetrics(config: Config, sql: Sql, logger: Logger, worker: AnchorWorkerMetrics) {
  const app = new Hono().get('/metrics', metricsHandler(anchorWorkerProcessMetrics({ sql, logger, anchorWorker: worker })));
  return serveHttp({ fetch: app.fetch, hostname: config.http.host, port: config.anchorWorkerMetricsPort!, portVariable: 'ANCHOR_WORKER_METRICS_PORT', what: 'the anchor worker\'s metrics' });
}
