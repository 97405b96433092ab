/**
 * @module
 * One of several API processes (api-processes.ts is the primary's side): serves an app on the
 * shared port, says when it listens (or why it cannot), asks the primary for the whole API's metrics
 * when scraped, and stops gracefully, finishing the requests in flight, on SIGTERM (the primary's
 * stop, systemd's stop of the unit) or SIGINT (Ctrl-C reaches every process of the terminal's group).
 *
 * @example
 *   // the module given to startApiProcesses as `entry`
 *   await serveApiProcess(async (api) => {
 *     const metrics = createMetrics({ sql, cluster: api });
 *     return { fetch: app.fetch, hostname, port, registry: metrics.registry, close: () => sql.end() };
 *   });
 */
import cluster from 'node:cluster';
import { serve, type ServerType } from '@hono/node-server';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { ConfigError } from '../errors.ts';

/** What an API process tells the primary. */
export type ApiProcessMessage =
  | { type: 'crvs:api-listening' }
  | { type: 'crvs:api-failed'; reason: string }
  | { type: 'crvs:scrape'; id: number }
  | { type: 'crvs:settings?' };

/** What the primary tells an API process. */
export type PrimaryMessage =
  | { type: 'crvs:scraped'; id: number; text?: string; error?: string }
  | { type: 'crvs:settings'; settings: unknown };

const isMessage = (m: unknown): m is { type: string } => typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
export const isApiProcessMessage = (m: unknown): m is ApiProcessMessage => isMessage(m) && m.type.startsWith('crvs:');
const isPrimaryMessage = (m: unknown): m is PrimaryMessage => isMessage(m) && m.type.startsWith('crvs:');

export interface ApiProcessContext {
  /** 1-based, as the primary numbered this process. */
  index: number;
  /** How many processes serve the API. */
  count: number;
  /**
   * What the primary gave startApiProcesses as `settings` (the system's configuration): over the
   * IPC channel, so that every process runs on the primary's configuration, wherever that came
   * from, and secrets stay out of the processes' environment.
   */
  settings: unknown;
  /** The whole API's metrics, from the primary (for createMetrics' `cluster`). */
  scrapeAll(): Promise<string>;
}

export interface ServedApi {
  fetch: Parameters<typeof serve>[0]['fetch'];
  hostname: string;
  port: number;
  /** This process's metrics, collected by the primary at every scrape. */
  registry: Registry;
  /** Releases what the app holds (its database pool), once no request is in flight. */
  close(): Promise<void>;
}

export async function serveApiProcess(start: (api: ApiProcessContext) => Promise<ServedApi>): Promise<void> {
  if (!cluster.isWorker || !process.send) throw new Error('an API process is started by the primary (API_PROCESSES), not by hand');
  let stop: (() => Promise<void>) | undefined;
  let stopping: Promise<void> | undefined;
  const stopOnce = () => (stopping ??= (stop ?? (async () => {}))().finally(() => process.exit(0)));
  // Registered first: a signal during start still ends the process cleanly.
  process.on('SIGTERM', () => void stopOnce());
  process.on('SIGINT', () => void stopOnce());

  const primary = primaryChannel();
  try {
    const index = Number(process.env.CRVS_API_PROCESS ?? 1);
    const count = Number(process.env.CRVS_API_PROCESSES ?? 1);
    const api = await start({ index, count, settings: await primary.settings(), scrapeAll: primary.scrapeAll });
    // prom-client answers the primary's requests for this process's figures with these registries.
    AggregatorRegistry.setRegistries([api.registry]);
    new AggregatorRegistry();
    const server = await serveHttp({ fetch: api.fetch, hostname: api.hostname, port: api.port });
    stop = async () => {
      await closeServer(server);
      await api.close();
    };
    await primary.send({ type: 'crvs:api-listening' });
  } catch (error) {
    // Sent before exiting, so that the primary says why rather than that the process ended.
    await primary.send({ type: 'crvs:api-failed', reason: error instanceof Error ? error.message : String(error) });
    process.exit(2);
  }
}

/** The IPC channel to the primary: messages to it, its settings, and the whole API's metrics on request. */
function primaryChannel() {
  const send = (message: ApiProcessMessage) =>
    new Promise<boolean>((resolve) => (process.connected ? process.send!(message, undefined, {}, (error) => resolve(!error)) : resolve(false)));
  const scrapes = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let nextScrape = 0;
  let settled: (settings: unknown) => void = () => {};
  const settings = new Promise<unknown>((resolve) => (settled = resolve));
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'crvs:settings') settled(message.settings);
    if (message.type === 'crvs:scraped') {
      const waiting = scrapes.get(message.id);
      scrapes.delete(message.id);
      if (message.text !== undefined) waiting?.resolve(message.text);
      else waiting?.reject(new Error(`the primary process could not collect the metrics: ${message.error}`));
    }
  });
  return {
    send,
    settings: async () => {
      await send({ type: 'crvs:settings?' });
      return settings;
    },
    scrapeAll: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextScrape++;
        scrapes.set(id, { resolve, reject });
        void send({ type: 'crvs:scrape', id }).then((sent) => {
          if (sent) return;
          scrapes.delete(id);
          reject(new Error('the primary process is gone'));
        });
      }),
  };
}

/**
 * How long an idle keep-alive connection stays open. Longer than the idle timeout of the proxies
 * and load balancers put in front of an API (60 s for nginx's upstream keepalive_timeout and for
 * AWS's load balancers): with Node's 5 s, the server closes connections the proxy still holds, and
 * a request the proxy sends on one as it closes is answered 502 by the proxy. A desk's client
 * reuses its connection between requests the same way.
 */
const KEEP_ALIVE_MS = 65_000;

/**
 * Serves `fetch` on `hostname:port`, once it listens. A port that cannot be had is the
 * configuration's problem (the variable `portVariable`, default `PORT`), said in one line.
 */
export function serveHttp(options: { fetch: ServedApi['fetch']; hostname: string; port: number; portVariable?: string; what?: string }): Promise<ServerType> {
  const { portVariable = 'PORT', what = 'the HTTP API', ...served } = options;
  return new Promise((resolve, reject) => {
    const server = serve(served, () => resolve(server));
    if ('keepAliveTimeout' in server) {
      server.keepAliveTimeout = KEEP_ALIVE_MS;
      // A request's headers must still arrive in time; Node wants this above keepAliveTimeout.
      server.headersTimeout = KEEP_ALIVE_MS + 1_000;
    }
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the address is in use (is another crvs running?)' : error.message;
      reject(new ConfigError(portVariable, `${what} cannot listen on ${options.hostname}:${options.port}: ${why}`));
    });
  });
}

/**
 * Stops accepting connections and lets requests in flight finish. Node closes the connections idle
 * when the server closes, but a connection whose request finishes afterwards would stay open for
 * its keep-alive time (65 s), and the server with it: such connections are closed as they fall idle.
 */
export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    const closeIdle = () => {
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    };
    const sweep = setInterval(closeIdle, 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    closeIdle();
  });
}
