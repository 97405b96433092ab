/**
 * @module
 * The worker loop shared by `crvs ingest` (in process) and `crvs worker ocr` (on any machine):
 * `concurrency` slots, each claiming a job, renewing its lease while the handler works, and
 * claiming the next. Workers keep no state of their own; the queue is the database.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from '../../services/database/client.ts';
import { claimJob, finishRunIfDone, getRun, releaseJob, renewLease, type IngestJob } from './jobs.ts';

/** What a job handler reports; `lost` when another worker took the job over. */
export type JobResult =
  | { status: 'done'; pages: number; reviewStatus: string }
  | { status: 'quarantined'; reason: string }
  | { status: 'retry'; error: string }
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
}

/**
 * A worker that runs until stopped outlives a database restart: it keeps trying. A run that waits
 * for its own end (`crvs ingest`) gives up after this many failed claims in a row (about 4 minutes).
 */
const MAX_CLAIM_FAILURES = 10;

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
  const slot = async () => {
    let failures = 0;
    while (!options.signal?.aborted) {
      let job;
      try {
        job = await claimJob(options.sql, { workerId: options.workerId, leaseSeconds: options.leaseSeconds, runId: options.runId });
        if (!job && (await shouldStop(options))) return;
        failures = 0;
      } catch (error) {
        failures++;
        if (options.until !== 'signal' && failures >= MAX_CLAIM_FAILURES) throw error;
        options.onQueueError?.(error, failures);
        await sleep(Math.min(30_000, 500 * 2 ** failures), undefined, { signal: options.signal }).catch(() => {});
        continue;
      }
      if (!job) {
        await sleep(options.pollMs ?? 1_000, undefined, { signal: options.signal }).catch(() => {});
        continue;
      }
      const result = await withLease(options, job);
      totals.jobs++;
      if (result.status === 'done') (totals.done++, (totals.pages += result.pages));
      else if (result.status === 'quarantined') totals.quarantined++;
      else if (result.status === 'retry') totals.retried++;
      else totals.lost++;
      options.onResult?.(job, result);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, slot));
  return totals;
}

async function shouldStop(options: WorkerLoopOptions): Promise<boolean> {
  if (options.until === 'idle') return true;
  if (options.until === 'run-finished' && options.runId) {
    await finishRunIfDone(options.sql, options.runId);
    return (await getRun(options.sql, options.runId))?.finishedAt != null;
  }
  return false;
}

/** Runs the handler while renewing the job's lease every third of its length. */
async function withLease(options: WorkerLoopOptions, job: IngestJob): Promise<JobResult> {
  const lost = new AbortController();
  const timer = setInterval(() => {
    renewLease(options.sql, job.id, options.workerId, options.leaseSeconds)
      .then((mine) => mine || lost.abort())
      // A database hiccup is not a lost lease; the next renewal (or the lease's expiry) decides.
      .catch(() => {});
  }, (options.leaseSeconds * 1000) / 3);
  timer.unref();
  let result: JobResult;
  try {
    result = await options.handle(job, { signal: lost.signal });
  } catch (error) {
    result = { status: 'retry', error: (error as Error).message ?? String(error) };
  } finally {
    clearInterval(timer);
  }
  // A failure that may pass (a service down, a bug): the job goes back to the queue, to be
  // retried here or by another worker; the handler turns it into a quarantine after enough attempts.
  if (result.status === 'retry') await releaseJob(options.sql, job.id, options.workerId, result.error).catch(() => {});
  return result;
}
