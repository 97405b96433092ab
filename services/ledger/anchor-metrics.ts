/**
 * @module
 * Counters of the anchor worker, for `/metrics` and for tests. A plain object the worker updates in
 * place; `anchorWorkerMetrics` is the process-wide one (production runs one worker per process).
 */

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
