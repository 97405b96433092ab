/**
 * @module
 * Starts and stops the whole system in one process (`npm start`, `crvs start`): the embedded
 * services where no real one is configured, migrations, the HTTP API and the background workers.
 * In production each part runs as its own process against real services; the code paths are the same.
 * With `API_PROCESSES` above 1, the HTTP API is served by that many processes (http/api-processes.ts)
 * and this one keeps the rest (migrations, the anchor worker, the ledger's metrics).
 */
import { Registry } from 'prom-client';
import type { Config } from './config/env.ts';
import type { Logger } from './observability/logger.ts';
import { connectDatabase, listenOn, type Listen, type Sql } from './database/client.ts';
import { migrate } from './database/migrate.ts';
import { connectObjectStore, ensureBucket, type ObjectStore } from './objectstore/client.ts';
import { startEmbeddedDatabase } from './embedded/database.ts';
import { startEmbeddedObjectStore } from './embedded/objectstore.ts';
import { startEmbeddedChain } from './embedded/chain.ts';
import { startAnchorWorker } from './ledger/anchor-worker.ts';
import { createMetrics, ledgerGauges } from './observability/metrics.ts';
import { anchorWorkerGauges } from './ledger/anchor-metrics.ts';
import { closeServer, serveHttp } from './http/api-process.ts';
import { startApiProcesses } from './http/api-processes.ts';
import { createApi } from './api.ts';

export interface RunningSystem {
  sql: Sql;
  store: ObjectStore;
  url: string;
  /** Process ids of the API processes, when the API runs in processes of its own (`API_PROCESSES`). */
  apiProcesses?: () => number[];
  stop(): Promise<void>;
}

type Stopper = () => Promise<void>;

export async function startSystem(config: Config, logger: Logger): Promise<RunningSystem> {
  const stoppers: Stopper[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((err) => logger.warn({ err }, 'stop failed'));
  };
  try {
    let notifications: Listen | undefined;
    if (config.database.embedded) {
      const db = await startEmbeddedDatabase(config);
      notifications = db.listen;
      stoppers.push(db.stop);
      logger.info({ url: db.url }, 'embedded database started');
    }
    if (config.objectStore.embedded) {
      const s3 = await startEmbeddedObjectStore(config);
      stoppers.push(s3.stop);
      logger.info({ endpoint: s3.endpoint }, 'embedded object store started');
    }
    if (config.chain.embedded) {
      const chain = await startEmbeddedChain(config);
      stoppers.push(chain.stop);
      logger.info({ rpcUrl: chain.rpcUrl, contract: chain.deployment.address }, 'embedded chain started');
    }

    const sql = connectDatabase(config, { applicationName: 'crvs-api' });
    notifications ??= listenOn(sql);
    stoppers.push(() => sql.end({ timeout: 5 }));
    const applied = await migrate(sql);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    // Pushed after sql.end: stoppers run in reverse, so the worker stops before the database closes.
    const anchorWorker = startAnchorWorker(config, sql, logger);
    stoppers.push(() => anchorWorker.stop());

    const store = connectObjectStore(config);
    stoppers.push(async () => store.client.destroy());
    await ensureBucket(store);

    let apiProcesses: (() => number[]) | undefined;
    if (config.http.processes > 1) {
      const ledger = new Registry();
      const { refresh } = ledgerGauges(ledger, sql, logger);
      anchorWorkerGauges(ledger, anchorWorker.metrics);
      const api = await startApiProcesses({
        processes: config.http.processes,
        entry: new URL('./api-process-entry.ts', import.meta.url),
        logger,
        settings: withoutChainKeys(config),
        scrapeOwn: () => {
          refresh();
          return ledger.metrics();
        },
      });
      stoppers.push(api.stop);
      apiProcesses = api.pids;
    } else {
      const metrics = createMetrics({ sql, logger, anchorWorker: anchorWorker.metrics });
      const app = createApi(config, logger, { sql, store, listen: notifications, metrics });
      const server = await serveHttp({ fetch: app.fetch, hostname: config.http.host, port: config.http.port });
      stoppers.push(() => closeServer(server));
    }
    const url = `http://${config.http.host}:${config.http.port}`;
    logger.info({ url }, 'HTTP API listening');
    return { sql, store, url, apiProcesses, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The configuration the API processes get: without the chain's signing keys, which only the anchor
 * worker and `crvs chain` use, so that a compromised API process cannot anchor or administer.
 */
export function withoutChainKeys(config: Config): Config {
  return { ...config, chain: { ...config.chain, anchorPrivateKey: undefined, adminPrivateKey: undefined } };
}

