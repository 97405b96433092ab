/**
 * @module
 * Starts and stops the whole system in one process (`npm start`, `crvs start`): the embedded
 * services where no real one is configured, migrations, the HTTP API and the background workers.
 * In production each part runs as its own process against real services; the code paths are the same.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from './config/env.ts';
import type { Logger } from './observability/logger.ts';
import { connectDatabase, listenOn, pingDatabase, type Listen, type Sql } from './database/client.ts';
import { migrate } from './database/migrate.ts';
import { connectObjectStore, ensureBucket, pingObjectStore, type ObjectStore } from './objectstore/client.ts';
import { pingChain } from './chain/connection.ts';
import { startEmbeddedDatabase } from './embedded/database.ts';
import { startEmbeddedObjectStore } from './embedded/objectstore.ts';
import { startEmbeddedChain } from './embedded/chain.ts';
import { createApp } from './http/app.ts';
import { registryRoutes } from './registry/routes.ts';
import { archiveRoutes } from '../scanner-pipeline/archive/routes.ts';
import { ARCHIVE_ROUTE_DOCS } from '../scanner-pipeline/archive/api-docs.ts';
import { startAnchorWorker } from './ledger/anchor-worker.ts';
import { contractAddress } from './chain/settings.ts';
import { CERTIFICATE_ROUTE_DOCS } from './certificates/api-docs.ts';
import { certificateRoutes } from './certificates/routes.ts';
import { publicVerificationRoutes } from './public-verification/routes.ts';

export interface RunningSystem {
  sql: Sql;
  store: ObjectStore;
  url: string;
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

    const app = createApp({
      logger,
      readiness: {
        database: () => pingDatabase(sql),
        objectStore: () => pingObjectStore(store),
        chain: () => pingChain(config.chain.rpcUrl),
      },
      routers: [registryRoutes({ sql, logger, evidenceRetryAfterSeconds: Math.max(1, Math.ceil(config.batch.maxWaitMs / 1000)), tokenCache: { listen: notifications }, alsoServed: [...ARCHIVE_ROUTE_DOCS, ...CERTIFICATE_ROUTE_DOCS] }), archiveRoutes({ sql, store }),
        certificateRoutes({ sql, publicBaseUrl: config.publicBaseUrl }),
        publicVerificationRoutes({ sql, rpcUrl: config.chain.rpcUrl, trustedContract: contractAddress(config) })],
    });
    const server = await listen(app.fetch, config);
    stoppers.push(() => closeServer(server));
    const url = `http://${config.http.host}:${config.http.port}`;
    logger.info({ url }, 'HTTP API listening');
    return { sql, store, url, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], config: Config): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: config.http.host, port: config.http.port }, () => resolve(server));
    server.once('error', reject);
  });
}

/** Stops accepting connections and lets requests in flight finish. */
function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  });
}
