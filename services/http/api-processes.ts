/**
 * @module
 * The HTTP API on several processes (`API_PROCESSES`), with node:cluster: this, the primary,
 * forks them and keeps them running; each serves the whole API on the same port (the primary hands
 * each new connection to one of them, round robin) through serveApiProcess (api-process.ts). One Node.js
 * process serves one core: a registration spends most of its CPU in HTTP parsing, validation and
 * hashing, which one event loop does one request at a time.
 *
 * What a process does not share: its registration queue (group commit per process; numbers are the
 * database's, so they stay gapless across processes), its token cache (each hears revocations on
 * its own LISTEN), its count of refused authentications (the limit is divided between them), its
 * request metrics (aggregated here at every scrape, so Prometheus sees one API).
 *
 * The primary starts the API processes once everything they need is up (database migrated,
 * embedded services started), restarts one that dies, and stops them on `stop()`: each finishes the
 * requests it has in flight, then exits. Connections handed to a process in the moment it dies are
 * lost with it (node:cluster hands a connection over and forgets it).
 *
 * @example
 *   const api = await startApiProcesses({ processes: 2, entry: new URL('../api-process.ts', import.meta.url), logger });
 *   await api.stop();
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import { isApiProcessMessage, type PrimaryMessage } from './api-process.ts';

export interface ApiProcessesOptions {
  /** How many processes serve the API (at least 1). */
  processes: number;
  /** The module each process runs; it serves the API with {@link serveApiProcess}. */
  entry: URL;
  logger: Logger;
  /** Given to every process as it starts (the system's configuration; plain data). */
  settings?: unknown;
  /** The primary's own part of every scrape (the ledger's gauges, which are no process's). */
  scrapeOwn?: () => Promise<string>;
  /** How long a stopping process may take to finish its requests before it is killed (default 30 s). */
  stopTimeoutMs?: number;
  /** Wait before a process that died is replaced (default 1 s). */
  restartDelayMs?: number;
}

export interface ApiProcesses {
  /** Process ids of the API processes serving now. */
  pids(): number[];
  stop(): Promise<void>;
}

export async function startApiProcesses(options: ApiProcessesOptions): Promise<ApiProcesses> {
  if (!cluster.isPrimary) throw new Error('API processes are started by the primary process only');
  // Without execArgv of our own, each process would inherit this one's flags (a profiler, a test
  // runner's loader); the API needs none.
  cluster.setupPrimary({ exec: fileURLToPath(options.entry), execArgv: [] });
  const aggregator = new AggregatorRegistry();
  const workers = new Set<Worker>();
  const serving = new Set<Worker>();
  let stopping = false;
  const restartDelayMs = options.restartDelayMs ?? 1_000;

  const scrapeAll = async (): Promise<string> => (await aggregator.clusterMetrics()) + ((await options.scrapeOwn?.()) ?? '');
  const onMessage = (worker: Worker, message: unknown) => {
    // Only this set's processes: cluster's events are the whole process's.
    if (!isApiProcessMessage(message) || !workers.has(worker)) return;
    const reply = (answer: PrimaryMessage) => worker.isConnected() && worker.send(answer);
    if (message.type === 'crvs:settings?') reply({ type: 'crvs:settings', settings: options.settings });
    if (message.type !== 'crvs:scrape') return;
    scrapeAll().then(
      (text) => reply({ type: 'crvs:scraped', id: message.id, text }),
      (err: unknown) => reply({ type: 'crvs:scraped', id: message.id, error: err instanceof Error ? err.message : String(err) }),
    );
  };
  cluster.on('message', onMessage);

  /** Forks one process and waits until it listens; rejects with its reason if it cannot. */
  const fork = (index: number): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ CRVS_API_PROCESS: String(index), CRVS_API_PROCESSES: String(options.processes) });
      workers.add(worker);
      let listening = false;
      let failure = 'it exited before it listened';
      worker.on('message', (message: unknown) => {
        if (!isApiProcessMessage(message)) return;
        if (message.type === 'crvs:api-failed') failure = message.reason;
        if (message.type === 'crvs:api-listening') {
          listening = true;
          serving.add(worker);
          resolve(worker);
        }
      });
      worker.once('exit', (code, signal) => {
        workers.delete(worker);
        serving.delete(worker);
        if (!listening) return reject(new Error(`API process ${index} could not start: ${failure}`));
        if (stopping) return;
        options.logger.error({ pid: worker.process.pid, code, signal, index }, 'an API process ended: starting another');
        replace(index, restartDelayMs);
      });
    });

  /** A process that died is replaced; while one cannot start (the database is down), it is tried again, less and less often. */
  const replace = (index: number, delayMs: number): void => {
    setTimeout(() => {
      if (stopping) return;
      fork(index).catch((err: unknown) => {
        options.logger.error({ err, index, retryInMs: Math.min(delayMs * 2, 30_000) }, 'an API process could not be restarted');
        replace(index, Math.min(delayMs * 2, 30_000));
      });
    }, delayMs).unref();
  };

  const stop = async () => {
    stopping = true;
    const timeoutMs = options.stopTimeoutMs ?? 30_000;
    await Promise.all(
      [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), timeoutMs);
            worker.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            // A signal rather than a message: it reaches a process still starting too, before it
            // listens to the channel (one that has not started serving simply ends).
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    cluster.off('message', onMessage);
  };

  try {
    // Started one after the other, so that a process that cannot start stops the rest at once.
    for (let index = 1; index <= options.processes; index++) await fork(index);
  } catch (error) {
    await stop();
    throw error;
  }
  options.logger.info({ processes: options.processes, pids: [...workers].map((w) => w.process.pid) }, 'API processes listening');
  return { pids: () => [...serving].map((w) => w.process.pid!), stop };
}
