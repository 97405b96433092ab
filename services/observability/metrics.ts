/**
 * @module
 * Prometheus metrics (prom-client), one registry per running API so that tests and embedded runs
 * never share counters. Request counts and latencies are labelled by route *pattern*
 * (`/v1/records/:id`), never by raw path, so label cardinality stays bounded whatever clients send.
 * The ledger's figures (pending backlog, anchored batches, anchoring latency) are read from the
 * database at scrape time: they are facts of the shared database, not of this process.
 *
 * With several API processes (http/api-processes.ts), each keeps its request figures and the
 * primary process reads the ledger's; a scrape, answered by whichever process took the connection,
 * asks the primary for the whole API's figures (prom-client's cluster aggregation), so that
 * Prometheus sees one API whatever the number of processes.
 *
 * @example
 *   const metrics = createMetrics({ sql });
 *   app.get('/metrics', metricsHandler(metrics));
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Context } from 'hono';
import type { Sql } from '../database/client.ts';
import { pendingBacklog } from '../ledger/batches.ts';
import { anchorWorkerGauges, type AnchorWorkerMetrics } from '../ledger/anchor-metrics.ts';
import type { Logger } from './logger.ts';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  registrationsIssued: Counter<'kind'>;
  correctionsRecorded: Counter<'kind'>;
  /** The exposition text; reads the ledger's figures from the database once for all gauges. */
  scrape(): Promise<string>;
}

export interface MetricsOptions {
  sql: Sql;
  logger?: Logger;
  /** Also export Node.js process metrics (event loop lag, heap, GC). Default true. */
  processMetrics?: boolean;
  /**
   * This is one of several API processes: the ledger's gauges are the primary's, and a scrape is
   * answered with what `scrapeAll` gives (the figures of every process).
   */
  cluster?: { scrapeAll(): Promise<string> };
  /** The anchor worker running in this process, if one does: its state is exported too. */
  anchorWorker?: AnchorWorkerMetrics;
}

interface LedgerSnapshot {
  pending: number;
  oldestPendingAgeSeconds: number;
  batchesAnchored: number;
  anchoringLatencyLastSeconds: number;
  anchoringLatencyAverageSeconds: number;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'crvs_' });

  const httpRequests = new Counter({
    name: 'crvs_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'crvs_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const registrationsIssued = new Counter({
    name: 'crvs_registrations_issued_total',
    help: 'Registrations issued by the API, by kind (birth, marriage).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const correctionsRecorded = new Counter({
    name: 'crvs_corrections_recorded_total',
    help: 'Corrections (new record versions) recorded by the API, by kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  const counters = { registry, httpRequests, httpDuration, registrationsIssued, correctionsRecorded };
  if (options.cluster) return { ...counters, scrape: options.cluster.scrapeAll };
  return { ...counters, scrape: ledgerScrape(registry, options) };
}

/** Registers the ledger's gauges (and the anchor worker's, if one runs here); answers the scrape. */
function ledgerScrape(registry: Registry, options: { sql: Sql; logger?: Logger; anchorWorker?: AnchorWorkerMetrics }): () => Promise<string> {
  const ledger = ledgerGauges(registry, options.sql, options.logger);
  if (options.anchorWorker) anchorWorkerGauges(registry, options.anchorWorker);
  return async () => {
    ledger.refresh();
    return registry.metrics();
  };
}

/**
 * The ledger's gauges, registered in `registry`: one database round per scrape (after `refresh`),
 * shared by all of them (prom-client collects them in parallel).
 */
export function ledgerGauges(registry: Registry, sql: Sql, logger?: Logger): { refresh(): void } {
  let snapshot: Promise<LedgerSnapshot | undefined> | undefined;
  const ledger = (): Promise<LedgerSnapshot | undefined> => {
    snapshot ??= readLedger(sql).catch((err: unknown) => {
      logger?.warn({ err }, 'metrics: the ledger figures could not be read');
      return undefined;
    });
    return snapshot;
  };
  const ledgerGauge = (name: string, help: string, pick: (s: LedgerSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const s = await ledger();
        // When the database does not answer, say so (NaN) rather than repeat a stale figure.
        this.set(s ? pick(s) : Number.NaN);
      },
    });
  ledgerGauge('crvs_ledger_pending_versions', 'Record versions waiting to be sealed into a batch.', (s) => s.pending);
  ledgerGauge('crvs_ledger_oldest_pending_age_seconds', 'Age of the oldest record version waiting for a batch (0 when none).', (s) => s.oldestPendingAgeSeconds);
  ledgerGauge('crvs_batches_anchored', 'Batches whose root is anchored on chain.', (s) => s.batchesAnchored);
  ledgerGauge('crvs_anchoring_latency_last_seconds', 'Sealing to anchoring time of the most recent anchored batch.', (s) => s.anchoringLatencyLastSeconds);
  ledgerGauge('crvs_anchoring_latency_average_seconds', 'Mean sealing to anchoring time over all anchored batches.', (s) => s.anchoringLatencyAverageSeconds);
  return { refresh: () => (snapshot = undefined) };
}

async function readLedger(sql: Sql): Promise<LedgerSnapshot> {
  const [backlog, [anchors]] = await Promise.all([
    pendingBacklog(sql),
    sql<{ anchored: bigint; average: number | null; last: number | null }[]>`
      select count(*) as anchored,
             extract(epoch from avg(a.anchored_at - b.sealed_at))::float8 as average,
             (select extract(epoch from a2.anchored_at - b2.sealed_at)::float8
                from batch_anchors a2 join batches b2 on b2.id = a2.batch_id
               order by a2.batch_id desc limit 1) as last
      from batch_anchors a join batches b on b.id = a.batch_id`,
  ]);
  return {
    pending: backlog.count,
    oldestPendingAgeSeconds: backlog.oldestEnqueuedAt ? Math.max(0, (Date.now() - backlog.oldestEnqueuedAt.getTime()) / 1000) : 0,
    batchesAnchored: Number(anchors!.anchored),
    anchoringLatencyLastSeconds: anchors!.last ?? 0,
    anchoringLatencyAverageSeconds: anchors!.average ?? 0,
  };
}

/** Records one answered request. */
export function observeRequest(metrics: Metrics, labels: { method: string; route: string; status: number }, seconds: number): void {
  const l = { method: labels.method, route: labels.route, status: String(labels.status) };
  metrics.httpRequests.inc(l);
  metrics.httpDuration.observe(l, seconds);
}

/**
 * The metrics of a process that serves no API (`crvs worker anchor`): the process, the ledger's
 * backlog and anchoring, and the anchor worker's state, named as `crvs start` exports them.
 */
export function anchorWorkerProcessMetrics(options: { sql: Sql; logger?: Logger; anchorWorker: AnchorWorkerMetrics }): Pick<Metrics, 'registry' | 'scrape'> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'crvs_' });
  return { registry, scrape: ledgerScrape(registry, options) };
}

/** `GET /metrics` in the Prometheus text exposition format. */
export const metricsHandler = (metrics: Pick<Metrics, 'registry' | 'scrape'>) =>
  async function metricsEndpoint(c: Context): Promise<Response> {
    const body = await metrics.scrape();
    return c.body(body, 200, { 'content-type': metrics.registry.contentType });
  };
