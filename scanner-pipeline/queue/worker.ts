/**
 * @module
 * The worker loop shared by `crvs ingest` (in process) and `crvs worker ocr` (on any machine):
 * `concurrency` slots, each claiming a job, renewing its lease while the handler works, and
 * claiming the next. Workers keep no state of their own; the queue is the database.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from '../../services/database/client.ts';
import { ServiceUnavailableError } from '../../services/errors.ts';
import { serviceFailure } from './failures.ts';
import { claimJob, finishRunIfDone, getRun, releaseJob, renewLease, type IngestJob } from './jobs.ts';

/** What a job handler reports; `lost` when another worker took the job over. */
export type JobResult =
  | { status: 'done'; pages: number; reviewStatus: string }
  | { status: 'quarantined'; reason: string }
  | { status: 'retry'; error: string }
  /** A service the job needs did not answer (or this machine lacks its configuration): not the file's fault. */
  | { status: 'unavailable'; service: string; error: string }
  | { status: 'lost' };

export interface JobLease {
  /** Aborted when the lease could not be renewed: the job now belongs to another worker. */
  signal: AbortSignal;
}

export type JobHandler = (job: IngestJob, lease: JobLease) => Promise<JobResult>;

export interface WorkerLoopOptions {
  sql: Sql;
  workerId: string;
  concurrency: number;
  leaseSeconds: number;
  /** Only this run's jobs; with `until: 'run-finished'` the loop ends when the run has finished. */
  runId?: string;
  /** `idle`: stop when there is nothing to claim; `run-finished`: when the run is finished; `signal`: only on abort. */
  until: 'idle' | 'run-finished' | 'signal';
  pollMs?: number;
  signal?: AbortSignal;
  handle: JobHandler;
  onResult?: (job: IngestJob, result: JobResult) => void;
  /** Told when the queue cannot be reached; the loop waits and tries again. */
  onQueueError?: (error: unknown, consecutive: number) => void;
  /**
   * How long a loop that ends by itself (`idle`, `run-finished`) waits for a service that does not
   * answer before it stops with {@link ServiceOutageError}, leaving the jobs queued (default
   * {@link DEFAULT_SERVICE_WAIT_SECONDS}). A loop that runs until stopped (`signal`) waits for ever.
   */
  serviceWaitSeconds?: number;
  /** Wait after a service failure: `initialMs` doubling to at most `maxMs` (default 1 s to 60 s). */
  backoff?: { initialMs: number; maxMs: number };
}

/** Long enough to outlast a restart or failover of the database or object store. */
export const DEFAULT_SERVICE_WAIT_SECONDS = 15 * 60;

/**
 * A job the loop stopped holding without giving it back (the database did not answer): it is still
 * `running` under this worker's name. {@link handBackPending} gives it back once the database answers.
 */
export interface PendingHandBack {
  jobId: string;
  workerId: string;
  error: string;
  countAttempt: boolean;
}

/** The loop stopped because a service did not answer for longer than it was told to wait. */
export class ServiceOutageError extends ServiceUnavailableError {
  /** The jobs this loop still held when it stopped, to be given back by whoever can reach the database. */
  pendingHandBacks: PendingHandBack[] = [];
  constructor(service: string, waitedSeconds: number, reason: string, cause?: unknown) {
    super(service, `${reason} (no answer for ${formatWait(waitedSeconds)})`, cause);
    this.name = 'ServiceOutageError';
  }
}

/**
 * Gives back jobs a stopped loop could not: as it would have, counting the attempt only when the
 * job itself failed. A job taken over meanwhile is left alone (the release matches its holder).
 * Returns the ones the database still did not take.
 */
export async function handBackPending(sql: Sql, pending: readonly PendingHandBack[]): Promise<PendingHandBack[]> {
  const left: PendingHandBack[] = [];
  for (const p of pending) {
    await releaseJob(sql, BigInt(p.jobId), p.workerId, p.error, { countAttempt: p.countAttempt }).catch(() => left.push(p));
  }
  return left;
}

const formatWait = (seconds: number) => (seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`);

/**
 * Since when services have been failing, shared by the loop's slots: any job that gets through
 * ends the outage. Each slot backs off on its own.
 */
class Outage {
  private since: number | undefined;
  private last: { service: string; reason: string; cause: unknown } | undefined;
  private readonly waitMs: number;
  constructor(waitMs: number) {
    this.waitMs = waitMs;
  }

  failed(service: string, reason: string, cause: unknown): void {
    this.since ??= Date.now();
    this.last = { service, reason, cause };
  }

  ended(): void {
    this.since = undefined;
  }

  /** The error to stop with once the loop has waited long enough. */
  exceeded(): ServiceOutageError | undefined {
    if (this.since === undefined || !this.last || Date.now() - this.since < this.waitMs) return undefined;
    return new ServiceOutageError(this.last.service, (Date.now() - this.since) / 1000, this.last.reason, this.last.cause);
  }
}

export interface WorkerTotals {
  jobs: number;
  done: number;
  quarantined: number;
  retried: number;
  lost: number;
  pages: number;
}

export async function runWorkerLoop(options: WorkerLoopOptions): Promise<WorkerTotals> {
  const totals: WorkerTotals = { jobs: 0, done: 0, quarantined: 0, retried: 0, lost: 0, pages: 0 };
  const endsByItself = options.until !== 'signal';
  const outage = new Outage((options.serviceWaitSeconds ?? DEFAULT_SERVICE_WAIT_SECONDS) * 1000);
  // Aborted by the caller, or by the first slot that has waited for a service long enough.
  const stopping = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopping.signal]) : stopping.signal;
  let stoppedBy: ServiceOutageError | undefined;
  const giveUpIfWaitedEnough = () => {
    const exceeded = endsByItself ? outage.exceeded() : undefined;
    if (exceeded) (stoppedBy ??= exceeded), stopping.abort();
  };
  const pending: PendingHandBack[] = [];
  const lease: LeaseContext = {
    stop: signal,
    // A hand-back that fails is the database not answering: it runs the outage clock like a failed
    // claim does, so that a loop whose every slot is handing back still stops after the wait.
    databaseFailed: (error) => {
      outage.failed('database', (error as Error).message ?? String(error), error);
      giveUpIfWaitedEnough();
    },
    pending,
  };
  const slot = async () => {
    let failures = 0;
    const backOff = () => sleep(backoffMs(options, ++failures), undefined, { signal }).catch(() => {});
    while (!signal.aborted) {
      let job;
      try {
        job = await claimJob(options.sql, { workerId: options.workerId, leaseSeconds: options.leaseSeconds, runId: options.runId });
        if (!job && (await shouldStop(options))) return;
      } catch (error) {
        outage.failed('database', (error as Error).message, error);
        giveUpIfWaitedEnough();
        options.onQueueError?.(error, failures + 1);
        await backOff();
        continue;
      }
      if (!job) {
        await sleep(options.pollMs ?? 1_000, undefined, { signal }).catch(() => {});
        continue;
      }
      const result = await withLease(options, job, lease, backoffMs(options, failures + 1));
      count(totals, result);
      options.onResult?.(job, result);
      if (result.status === 'unavailable') {
        outage.failed(result.service, result.error, undefined);
        giveUpIfWaitedEnough();
        await backOff();
      } else if (result.status !== 'lost') {
        outage.ended();
        failures = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, slot));
  if (stoppedBy) {
    stoppedBy.pendingHandBacks = pending;
    throw stoppedBy;
  }
  return totals;
}

function backoffMs(options: WorkerLoopOptions, failures: number): number {
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 1_000, maxMs: 60_000 };
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}

function count(totals: WorkerTotals, result: JobResult): void {
  totals.jobs++;
  if (result.status === 'done') (totals.done++, (totals.pages += result.pages));
  else if (result.status === 'quarantined') totals.quarantined++;
  else if (result.status === 'retry' || result.status === 'unavailable') totals.retried++;
  else totals.lost++;
}

async function shouldStop(options: WorkerLoopOptions): Promise<boolean> {
  if (options.until === 'idle') return true;
  if (options.until === 'run-finished' && options.runId) {
    await finishRunIfDone(options.sql, options.runId);
    return (await getRun(options.sql, options.runId))?.finishedAt != null;
  }
  return false;
}

/** What the slots share about giving jobs back: when to stop trying, whom to tell of a failure, what is left. */
interface LeaseContext {
  stop: AbortSignal;
  databaseFailed: (error: unknown) => void;
  /** Jobs whose hand-back never succeeded before the loop stopped. */
  pending: PendingHandBack[];
}

/**
 * Runs the handler while renewing the job's lease every third of its length, then gives the job
 * back if it is to be tried again. `waitMs`: how long a job whose service failed waits.
 */
async function withLease(options: WorkerLoopOptions, job: IngestJob, lease: LeaseContext, waitMs: number): Promise<JobResult> {
  const lost = new AbortController();
  const timer = setInterval(() => {
    renewLease(options.sql, job.id, options.workerId, options.leaseSeconds)
      .then((mine) => mine || lost.abort())
      // A database hiccup is not a lost lease; the next renewal (or the lease's expiry) decides.
      .catch(() => {});
  }, (options.leaseSeconds * 1000) / 3);
  timer.unref();
  try {
    let result: JobResult;
    try {
      result = await options.handle(job, { signal: lost.signal });
    } catch (error) {
      const failure = serviceFailure(error);
      result = failure ? { status: 'unavailable', service: failure.service, error: failure.reason } : { status: 'retry', error: (error as Error).message ?? String(error) };
    }
    if (result.status === 'retry') await handBack(options, job, result.error, { countAttempt: true }, lease);
    // Not the file's fault: the attempt does not count, so an outage of any length never quarantines it.
    if (result.status === 'unavailable') await handBack(options, job, `${result.service}: ${result.error}`, { countAttempt: false, delaySeconds: waitMs / 1000 }, lease);
    return result;
  } finally {
    clearInterval(timer);
  }
}

/**
 * Gives the job back to the queue. When the database itself is down this fails: try again (the
 * lease is still being renewed meanwhile) rather than leave the job to its lease's expiry, which
 * would count as an attempt; each failure runs the outage clock. When the loop stops first, the job
 * is left in `pending`, for the caller to give back once the database answers.
 */
async function handBack(options: WorkerLoopOptions, job: IngestJob, error: string, release: { countAttempt: boolean; delaySeconds?: number }, lease: LeaseContext) {
  for (let tries = 1; ; tries++) {
    try {
      return await releaseJob(options.sql, job.id, options.workerId, error, release);
    } catch (failure) {
      lease.databaseFailed(failure);
      if (lease.stop.aborted) {
        lease.pending.push({ jobId: String(job.id), workerId: options.workerId, error, countAttempt: release.countAttempt });
        return;
      }
      await sleep(backoffMs(options, tries), undefined, { signal: lease.stop }).catch(() => {});
    }
  }
}
