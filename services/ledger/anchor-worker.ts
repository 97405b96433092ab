/**
 * @module
 * The anchor worker: seals pending record versions into batches and anchors each batch's root on
 * the RegistryAnchor contract, strictly in batch id order, recording transaction and block.
 *
 * It decides from the contract's state, never from its own memory, so a kill -9 at any point is
 * harmless (the cases tested are after sealing, after sending, after mining and before recording):
 *  - read the contract's `latestBatchId()` L, then the database's latest sealed batch S;
 *  - every batch ≤ L not yet recorded on this contract: compare the contract's root and count with
 *    the database's (equal: record the transaction of its `BatchAnchored` event; different: an
 *    integrity failure, logged as fatal, and the worker stops anchoring: it never overwrites);
 *  - then anchor L+1, L+2, …, S one by one, each after the previous one's receipt.
 * The contract refuses anything but L+1, so nothing is anchored twice and no id is skipped even
 * when two workers or a retry race; a refusal only means "read the contract again".
 *
 * A chain that lost anchored batches (the embedded Anvil writes its state once a second, so a
 * crash can roll it back; a restored network could too) shows L below what the database recorded.
 * The worker logs it as an error and anchors the same roots again in order; `batch_anchors` keeps
 * the first anchoring and `batch_reanchors` (migration 0006) the new one, both append-only.
 * (Known gap: a kill between re-sending and recording such a batch leaves the lost transaction as
 * its latest record, since the batch already has a record on this contract. Its root is on chain
 * and verifies; only the cited transaction hash is stale. `crvs audit` should compare them.)
 *
 * It only seals right after the chain answered and every earlier batch is anchored, so while the
 * chain is down new versions stay pending (registration never touches the chain) and the backlog
 * is sealed into full batches, not hundreds of small ones, when the chain returns. Failures are
 * retried with exponential backoff and jitter, capped at 30 s.
 *
 * A database whose batches are anchored on other contracts and none on this one (a wrong
 * DATABASE_URL or ANCHOR_CONTRACT_ADDRESS; on a fresh contract, the worker would otherwise anchor
 * another registry's batches, or this registry's on a contract no auditor pins) halts the worker,
 * unless the operator moves the registry to this contract on purpose (`ANCHOR_MOVE_TO_CONTRACT`).
 *
 * One worker anchors at a time: a session advisory lock on a connection of its own elects it;
 * others stand by and take over when its session ends. (The embedded PGlite server runs every
 * socket in one session, so there every worker "holds" the lock; the contract's refusal keeps
 * that safe.) Sealing has its own lock (`sealNextBatch`).
 */
import type { Config } from '../config/env.ts';
import { anchorPrivateKey, contractAddress } from '../chain/settings.ts';
import { connectDatabase, type Sql } from '../database/client.ts';
import type { Logger } from '../observability/logger.ts';
import { AnchorChain, ChainMovedError } from './anchoring.ts';
import { anchoredOnlyElsewhere, batchesAbove, latestSealedBatchId, recordAnchoring, recordedAbove, sealingDue, unanchoredCount, unrecordedBatches, type AnchorTarget, type StoredBatch } from './anchor-records.ts';
import { sealNextBatch } from './batches.ts';
import { sameHex } from './core.ts';
import { anchorWorkerMetrics, type AnchorWorkerMetrics } from './anchor-metrics.ts';

export { anchorWorkerMetrics, type AnchorWorkerMetrics } from './anchor-metrics.ts';

// Arbitrary but fixed: the advisory lock key of the anchoring role.
const ANCHOR_LOCK_KEY = 0x616e6368;
const IDLE_POLL_MS = 1_000;
const STANDBY_POLL_MS = 2_000;
/** Even with nothing to do, look at the chain this often, so a rolled-back chain is noticed. */
const CHAIN_CHECK_MS = 30_000;

/**
 * Fault injection for tests only: `CRVS_CRASH_AT=after-seal|after-send|after-mine|before-record`
 * makes the process SIGKILL itself at that point, as a power cut would. `before-record` fires inside
 * the recording transaction, after its rows are written and before it commits.
 */
export type CrashPoint = 'after-seal' | 'after-send' | 'after-mine' | 'before-record';

export interface AnchorWorkerOptions {
  /** Counters to update (default: the process-wide {@link anchorWorkerMetrics}). */
  metrics?: AnchorWorkerMetrics;
  backoff?: { initialMs: number; maxMs: number };
}

export interface AnchorWorker {
  readonly metrics: AnchorWorkerMetrics;
  /** Finishes the current step, releases the anchoring role and closes the worker's connections. */
  stop(): Promise<void>;
}

/** Starts the worker in the background; throws at once if the contract or signer is not configured. */
export function startAnchorWorker(config: Config, sql: Sql, logger: Logger, options: AnchorWorkerOptions = {}): AnchorWorker {
  const log = logger.child({ component: 'anchor-worker' });
  const chain = new AnchorChain(config.chain.rpcUrl, contractAddress(config), anchorPrivateKey(config));
  const lock = new AnchoringLock(config);
  const metrics = options.metrics ?? anchorWorkerMetrics;
  const backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  const crashAt = process.env.CRVS_CRASH_AT as CrashPoint | undefined;
  const crashPoint = (point: CrashPoint) => {
    if (crashAt === point) process.kill(process.pid, 'SIGKILL');
  };

  let stopping = false;
  let wake: (() => void) | undefined;
  let lastChainCheck = 0;
  let paired = false;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve();
      const timer = setTimeout(done, ms);
      wake = done;
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
    });

  const halt = (reason: string, details: Record<string, unknown>) => {
    metrics.halted = reason;
    log.fatal({ ...details, reason }, 'integrity failure: anchoring stopped, nothing was overwritten; an operator must investigate');
  };

  /** Brings the contract up to the database's latest sealed batch, in order. False if it halted. */
  async function anchorBacklog(): Promise<boolean> {
    const latest = await chain.latestBatchId();
    metrics.chainReachable = true;
    lastChainCheck = Date.now();
    const target: AnchorTarget = { chainId: await chain.chainId(), contractAddress: chain.contractAddress };
    if (!paired) {
      paired = await pairedWith(target);
      if (!paired) return false;
    }
    const sealed = await latestSealedBatchId(sql); // read after L: a batch anchored meanwhile is sealed by then
    if (latest > sealed) {
      halt(`the contract has batch ${latest} but the database only up to ${sealed}`, { latestOnChain: latest, latestSealed: sealed });
      return false;
    }
    for (const batch of await unrecordedBatches(sql, target, latest)) {
      if (!(await recordFoundOnChain(batch))) return false;
    }
    const lost = await recordedAbove(sql, target, latest);
    if (lost.length) log.error({ latestOnChain: latest, lost }, 'the chain lost anchored batches (rolled back?): anchoring the same roots again');
    for (const batch of await batchesAbove(sql, latest)) {
      if (stopping) break;
      await anchorOne(batch, lost.includes(batch.id) ? 'the chain lost the earlier anchoring' : 'first anchoring on this contract');
    }
    return true;
  }

  /** Whether this database's anchorings belong on `target` (see the module's comment). */
  async function pairedWith(target: AnchorTarget): Promise<boolean> {
    const elsewhere = await anchoredOnlyElsewhere(sql, target);
    if (elsewhere.length === 0) return true;
    if (sameHex(config.chain.moveToContract, target.contractAddress)) {
      log.warn({ to: target, from: elsewhere }, 'moving the registry to this contract (ANCHOR_MOVE_TO_CONTRACT): every batch is anchored again');
      return true;
    }
    const [main] = elsewhere;
    halt(
      `this database's batches are anchored on contract ${main!.contractAddress} (chain ${main!.chainId}), none on ${target.contractAddress}: ` +
        'check DATABASE_URL and ANCHOR_CONTRACT_ADDRESS, or set ANCHOR_MOVE_TO_CONTRACT to this address to move the registry here',
      { target, anchoredOn: elsewhere },
    );
    return false;
  }

  /** A batch the contract holds but the database did not record (crash after sending). */
  async function recordFoundOnChain(batch: StoredBatch): Promise<boolean> {
    const onChain = await chain.batch(batch.id);
    if (!onChain || onChain.root !== batch.root || onChain.leafCount !== batch.leafCount) {
      halt(`batch ${batch.id} on chain differs from the database`, { batchId: batch.id, database: { root: batch.root, leafCount: batch.leafCount }, chain: onChain });
      return false;
    }
    const anchoring = await chain.anchoredEvent(batch.id);
    if (!anchoring) throw new ChainMovedError(`batch ${batch.id} is anchored but its BatchAnchored event was not found yet`);
    await recordAnchoring(sql, batch.id, anchoring, 'found on chain');
    log.info({ batchId: batch.id, transactionHash: anchoring.transactionHash, blockNumber: anchoring.blockNumber }, 'recorded an anchoring found on chain');
    return true;
  }

  async function anchorOne(batch: StoredBatch, reason: string): Promise<void> {
    if (await chain.hasPendingTransactions()) throw new ChainMovedError('an earlier transaction of the anchor signer is still pending');
    const sentAt = performance.now();
    const hash = await chain.send(batch.id, batch.root, batch.leafCount);
    log.info({ batchId: batch.id, transactionHash: hash }, 'anchor transaction sent');
    crashPoint('after-send');
    const anchoring = await chain.mined(hash, () => stopping);
    crashPoint('after-mine');
    await recordAnchoring(sql, batch.id, anchoring, reason, () => crashPoint('before-record'));
    metrics.batchesAnchored += 1;
    metrics.recordsAnchored += batch.leafCount;
    metrics.lastAnchoredBatchId = batch.id;
    metrics.lastAnchorLatencyMs = Math.round(performance.now() - sentAt);
    metrics.lastAnchoredAt = new Date();
    metrics.lastGasUsed = anchoring.gasUsed === undefined ? null : Number(anchoring.gasUsed);
    log.info(
      { batchId: batch.id, root: batch.root, leafCount: batch.leafCount, transactionHash: hash, blockNumber: anchoring.blockNumber, latencyMs: metrics.lastAnchorLatencyMs },
      'batch anchored',
    );
  }

  /** One step; returns how long to wait before the next. */
  async function step(): Promise<number> {
    if (metrics.halted) return CHAIN_CHECK_MS;
    if (!(await lock.acquire())) {
      metrics.role = 'standby';
      return STANDBY_POLL_MS;
    }
    metrics.role = 'anchoring';
    const pending = await sealingDue(sql, config.batch);
    // Idle without touching the chain: nothing due, every batch anchored somewhere, chain seen lately.
    if (!pending.due && (await unanchoredCount(sql)) === 0 && Date.now() - lastChainCheck < CHAIN_CHECK_MS) {
      return Math.max(10, Math.min(IDLE_POLL_MS, pending.waitMs ?? IDLE_POLL_MS));
    }
    if (!(await anchorBacklog()) || !pending.due || stopping) return IDLE_POLL_MS;
    const batch = await sealNextBatch(sql, config.batch.maxRecords);
    if (!batch) return IDLE_POLL_MS;
    metrics.batchesSealed += 1;
    log.info({ batchId: batch.id, root: batch.root, leafCount: batch.leafCount }, 'batch sealed');
    crashPoint('after-seal');
    await anchorBacklog();
    return 0; // more may be waiting
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      let delay: number;
      try {
        delay = await step();
        failures = 0;
        metrics.lastError = null;
      } catch (error) {
        chain.reset();
        if (stopping) {
          log.info({ reason: (error as Error).message }, 'stopped mid-step; the next start carries on from the contract');
          break;
        }
        if (error instanceof ChainMovedError) {
          log.info({ reason: error.message }, 're-reading the contract');
          delay = backoff.initialMs;
        } else {
          failures += 1;
          metrics.lastError = (error as Error).message.split('\n')[0] ?? String(error);
          metrics.chainReachable = isChainError(error) ? false : metrics.chainReachable;
          delay = backoffDelay(failures, backoff);
          log.warn({ err: error, attempt: failures, retryInMs: delay }, 'anchoring step failed; retrying');
        }
      }
      metrics.consecutiveFailures = failures;
      await pause(delay);
    }
  }

  metrics.role = 'starting';
  metrics.halted = null; // a new worker judges the ledger afresh
  const running = run();
  let stopped: Promise<void> | undefined;
  return {
    metrics,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wake?.();
        await running;
        await lock.release();
        chain.destroy();
        metrics.role = 'stopped';
      })();
      return stopped;
    },
  };
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, capped. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: { initialMs: number; maxMs: number }): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function isChainError(error: unknown): boolean {
  const e = error as { code?: string; details?: { service?: string } };
  return e.details?.service === 'chain' || ['NETWORK_ERROR', 'TIMEOUT', 'SERVER_ERROR', 'UNKNOWN_ERROR'].includes(e.code ?? '');
}

/**
 * The anchoring role: a session advisory lock held on a connection of the worker's own (a
 * reserved connection of the shared pool would starve the embedded database's single one).
 */
class AnchoringLock {
  readonly #client: Sql;
  #conn: Awaited<ReturnType<Sql['reserve']>> | undefined;

  constructor(config: Config) {
    this.#client = connectDatabase(config, { max: 1, applicationName: 'crvs-anchor-worker-lock' });
  }

  /** True while this worker holds the role; checks the lock is still granted to its session. */
  async acquire(): Promise<boolean> {
    try {
      this.#conn ??= await this.#client.reserve();
      const [row] = await this.#conn<{ held: boolean }[]>`
        select case when exists (
          select 1 from pg_locks where locktype = 'advisory' and pid = pg_backend_pid() and granted
            and classid = 0 and objid = ${ANCHOR_LOCK_KEY} and objsubid = 1)
        then true else pg_try_advisory_lock(${ANCHOR_LOCK_KEY}) end as held`;
      return row!.held;
    } catch (error) {
      this.#conn?.release();
      this.#conn = undefined;
      throw error;
    }
  }

  async release(): Promise<void> {
    if (this.#conn) {
      await this.#conn`select pg_advisory_unlock_all()`.catch(() => {});
      this.#conn.release();
    }
    this.#conn = undefined;
    await this.#client.end({ timeout: 5 });
  }
}
