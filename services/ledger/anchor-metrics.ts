/**
 * @module
 * Counters of the anchor worker, for `/metrics` and for tests. A plain object the worker updates in
 * place; `anchorWorkerMetrics` is the process-wide one (production runs one worker per process).
 */
import { Gauge, type Registry } from 'prom-client';

export interface AnchorWorkerMetrics {
  /** `anchoring` holds the role; `standby` waits for another worker's session to end. */
  role: 'starting' | 'anchoring' | 'standby' | 'stopped';
  batchesSealed: number;
  batchesAnchored: number;
  recordsAnchored: number;
  lastAnchoredBatchId: number | null;
  /** From sending the anchor transaction to its receipt, in ms. */
  lastAnchorLatencyMs: number | null;
  lastAnchoredAt: Date | null;
  lastGasUsed: number | null;
  /** null until the chain was first tried. */
  chainReachable: boolean | null;
  consecutiveFailures: number;
  /** The last failure's one-line message, until a step succeeds again. */
  lastError: string | null;
  /** Why anchoring stopped (an integrity failure), or null. */
  halted: string | null;
}

export function newAnchorWorkerMetrics(): AnchorWorkerMetrics {
  return {
    role: 'starting',
    batchesSealed: 0,
    batchesAnchored: 0,
    recordsAnchored: 0,
    lastAnchoredBatchId: null,
    lastAnchorLatencyMs: null,
    lastAnchoredAt: null,
    lastGasUsed: null,
    chainReachable: null,
    consecutiveFailures: 0,
    lastError: null,
    halted: null,
  };
}

/** The process-wide counters, updated by a worker started without its own. */
export const anchorWorkerMetrics: AnchorWorkerMetrics = newAnchorWorkerMetrics();

/**
 * The worker's state as Prometheus gauges in `registry`, read at each scrape: above all whether it
 * halted on an integrity failure, which otherwise only its fatal log says while records wait.
 */
export function anchorWorkerGauges(registry: Registry, worker: AnchorWorkerMetrics): void {
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  gauge('crvs_anchor_worker_halted', 'Whether anchoring stopped on an integrity failure (1; the reason is in the worker\'s fatal log) or runs (0).', () => (worker.halted ? 1 : 0));
  gauge('crvs_anchor_worker_anchoring', 'Whether this worker holds the anchoring role (1) or stands by (0).', () => (worker.role === 'anchoring' ? 1 : 0));
  gauge('crvs_anchor_worker_chain_reachable', 'Whether the chain answered the last step (1) or not (0); NaN before the first.', () =>
    worker.chainReachable === null ? Number.NaN : Number(worker.chainReachable),
  );
  gauge('crvs_anchor_worker_consecutive_failures', 'Anchoring steps failed in a row (retried with backoff).', () => worker.consecutiveFailures);
}

