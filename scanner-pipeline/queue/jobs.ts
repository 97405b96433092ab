/**
 * @module
 * The ingest job queue, in PostgreSQL: one row per file, claimed with `FOR UPDATE SKIP LOCKED`
 * under a lease that the worker renews while it works. A worker that dies stops renewing; once its
 * lease has expired the job is claimable again, by any worker on any machine.
 *
 * Why not pg-boss or graphile-worker: both are built on the `pg` driver with a connection pool and
 * hold transactions or LISTEN sessions open across calls. The embedded default serves PGlite, a
 * single-session database, through one wire-protocol socket per process (services/embedded), where
 * a second driver and pool would interleave statements into each other's transactions. The queue
 * therefore uses the system's one postgres.js client, and every queue operation is a single
 * statement (or a short `sql.begin` transaction), which both PGlite and a real server serve safely.
 */
import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from '../../services/database/client.ts';
import { RegistryError } from '../../services/errors.ts';

type Db = Sql | TransactionSql;

export type JobStatus = 'queued' | 'running' | 'done' | 'duplicate' | 'quarantined';

export interface IngestRun {
  id: string;
  source: string;
  sourceKey: string;
  languages: string;
  kind: string | null;
  reviewThreshold: number;
  createdAt: Date;
  enqueuedAt: Date | null;
  finishedAt: Date | null;
}

export interface IngestJob {
  id: bigint;
  runId: string;
  sourceFile: string;
  sha256: string;
  sizeBytes: number;
  incomingKey: string | null;
  kind: string | null;
  languages: string;
  status: JobStatus;
  attempts: number;
  leaseOwner: string | null;
  lastError: string | null;
}

/** A worker's job was claimed by another worker after this one's lease expired. */
export class LeaseLostError extends RegistryError {
  constructor(jobId: bigint) {
    super('conflict', `job ${jobId} was taken over by another worker (lease expired)`);
    this.name = 'LeaseLostError';
  }
}

const toRun = (r: Record<string, unknown>): IngestRun => ({
  id: r.id as string,
  source: r.source as string,
  sourceKey: r.source_key as string,
  languages: r.languages as string,
  kind: (r.kind as string | null) ?? null,
  reviewThreshold: Number(r.review_threshold),
  createdAt: r.created_at as Date,
  enqueuedAt: (r.enqueued_at as Date | null) ?? null,
  finishedAt: (r.finished_at as Date | null) ?? null,
});

const toJob = (r: Record<string, unknown>): IngestJob => ({
  id: r.id as bigint,
  runId: r.run_id as string,
  sourceFile: r.source_file as string,
  sha256: r.sha256 as string,
  sizeBytes: Number(r.size_bytes),
  incomingKey: (r.incoming_key as string | null) ?? null,
  kind: (r.kind as string | null) ?? null,
  languages: r.languages as string,
  status: r.status as JobStatus,
  attempts: r.attempts as number,
  leaseOwner: (r.lease_owner as string | null) ?? null,
  lastError: (r.last_error as string | null) ?? null,
});

export interface RunOptions {
  source: string;
  sourceKey: string;
  languages: string;
  kind: string | null;
  reviewThreshold: number;
}

/** The unfinished run of the same source if there is one (resume), else a new run. */
export async function openRun(sql: Sql, options: RunOptions): Promise<{ run: IngestRun; resumed: boolean }> {
  const [open] = await sql`
    select * from ingest_runs where source_key = ${options.sourceKey} and finished_at is null
    order by created_at desc limit 1`;
  if (open) return { run: toRun(open), resumed: true };
  const [created] = await sql`
    insert into ingest_runs (id, source, source_key, languages, kind, review_threshold)
    values (${randomUUID()}, ${options.source}, ${options.sourceKey}, ${options.languages}, ${options.kind}, ${options.reviewThreshold})
    returning *`;
  return { run: toRun(created!), resumed: false };
}

export async function getRun(sql: Db, runId: string): Promise<IngestRun | undefined> {
  const [row] = await sql`select * from ingest_runs where id = ${runId}`;
  return row ? toRun(row) : undefined;
}

export interface FileToEnqueue {
  sourceFile: string;
  sha256: string;
  sizeBytes: number;
  kind: string | null;
  languages: string;
}

export type EnqueueOutcome =
  | { outcome: 'queued'; jobId: bigint; /** The quarantined job this one takes again. */ retakes?: bigint }
  | { outcome: 'duplicate'; jobId: bigint; duplicateOf: bigint }
  /** This run already has the file (a resumed run). */
  | { outcome: 'known'; jobId: bigint };

/**
 * Quarantine reasons that say nothing about the file: the job failed every attempt (a worker kept
 * dying on it, an error of ours) or the bytes stored for it were not the file's. The same file
 * ingested again is taken again instead of being reported a duplicate of its quarantined copy.
 * The other reasons (decode/errors.ts) are the file's own: the same bytes would fail the same way.
 */
export const RETAKEN_REASONS: ReadonlySet<string> = new Set(['processing-failed', 'checksum-mismatch']);

/**
 * Adds one file to a run. The first file with a SHA-256 becomes the job that does the work; a later
 * one with the same bytes, in this run or any other, is recorded as its duplicate, unless that job
 * was quarantined for a reason in {@link RETAKEN_REASONS}: then this file takes it again. `upload`
 * puts the bytes where a worker on another machine can read them, and runs only for a new primary job.
 */
export async function enqueueFile(sql: Sql, runId: string, file: FileToEnqueue, upload: () => Promise<string>): Promise<EnqueueOutcome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [known] = await sql<{ id: bigint }[]>`select id from ingest_jobs where run_id = ${runId} and source_file = ${file.sourceFile}`;
    if (known) return { outcome: 'known', jobId: known.id };
    const [primary] = await sql<{ id: bigint; status: string; reason: string | null }[]>`
      select j.id, j.status, q.reason from ingest_jobs j left join archive_quarantine q on q.ingest_job_id = j.id
      where j.sha256 = ${file.sha256} and j.duplicate_of is null and j.retried_at is null`;
    if (primary && !(primary.status === 'quarantined' && RETAKEN_REASONS.has(primary.reason ?? ''))) {
      const [dup] = await sql<{ id: bigint }[]>`
        insert into ingest_jobs (run_id, source_file, sha256, size_bytes, kind, languages, status, duplicate_of, finished_at)
        values (${runId}, ${file.sourceFile}, ${file.sha256}, ${file.sizeBytes}, ${file.kind}, ${file.languages}, 'duplicate', ${primary.id}, now())
        on conflict do nothing returning id`;
      if (dup) return { outcome: 'duplicate', jobId: dup.id, duplicateOf: primary.id };
      continue;
    }
    const incomingKey = await upload();
    const jobId = await sql
      .begin(async (tx) => {
        if (primary && !(await markRetried(tx, primary.id))) return undefined;
        return insertQueuedJob(tx, runId, file, incomingKey);
      })
      .catch(unlessConflict);
    if (jobId) return { outcome: 'queued', jobId, ...(primary ? { retakes: primary.id } : {}) };
    // Another ingest enqueued the same bytes or the same file meanwhile: look again.
  }
  throw new RegistryError('conflict', `could not enqueue ${file.sourceFile}: it keeps being enqueued concurrently`);
}

/** Inserts a queued job; throws {@link EnqueueConflict} (rolling the transaction back) when the run has the file or the bytes have a primary job already. */
async function insertQueuedJob(tx: TransactionSql, runId: string, file: FileToEnqueue, incomingKey: string): Promise<bigint> {
  const [job] = await tx<{ id: bigint }[]>`
    insert into ingest_jobs (run_id, source_file, sha256, size_bytes, incoming_key, kind, languages, status)
    values (${runId}, ${file.sourceFile}, ${file.sha256}, ${file.sizeBytes}, ${incomingKey}, ${file.kind}, ${file.languages}, 'queued')
    on conflict do nothing returning id`;
  if (!job) throw new EnqueueConflict();
  return job.id;
}

/** The job could not be inserted: the same file or the same bytes got there first. */
class EnqueueConflict extends Error {}

const unlessConflict = (error: unknown): undefined => {
  if (error instanceof EnqueueConflict) return undefined;
  throw error;
};

/**
 * Marks a quarantined job and its quarantine entry as taken again, so that a new job may do the
 * work for its SHA-256; false when it is no longer a current quarantined job (taken meanwhile).
 */
async function markRetried(tx: TransactionSql, jobId: bigint): Promise<boolean> {
  const rows = await tx`update ingest_jobs set retried_at = now() where id = ${jobId} and status = 'quarantined' and retried_at is null returning id`;
  if (!rows.length) return false;
  await tx`update archive_quarantine set retried_at = now() where ingest_job_id = ${jobId}`;
  return true;
}

/**
 * Puts a quarantined job's file into a run again as a new job (`crvs archive quarantine --retry`),
 * whatever the reason it was quarantined for; `incomingKey` holds its bytes. Returns the job that
 * now reads the file: the run's own when an interrupted retry had already put it there. Null when
 * the job is no longer in the quarantine. Two files retried together may share a name (from two
 * ingests): the later one's name in the run is prefixed with its SHA-256's first 12 hex digits (the
 * id the quarantine lists), as the run holds one job per name.
 */
/** Whether `runId` holds a live job (not a duplicate, not retried) for the file with `sha256`. */
export async function queuedInRun(sql: Sql, runId: string, sha256: string): Promise<boolean> {
  const [row] = await sql`select 1 from ingest_jobs where run_id = ${runId} and sha256 = ${sha256} and duplicate_of is null and retried_at is null`;
  return row !== undefined;
}

export async function requeueQuarantined(sql: Sql, runId: string, quarantinedJobId: bigint, incomingKey: string): Promise<bigint | null> {
  return sql.begin(async (tx) => {
    const [old] = await tx`select * from ingest_jobs where id = ${quarantinedJobId} for update`;
    if (!old) return null;
    const job = toJob(old);
    const [already] = await tx<{ id: bigint }[]>`select id from ingest_jobs where run_id = ${runId} and sha256 = ${job.sha256} and duplicate_of is null and retried_at is null`;
    if (already) return already.id;
    if (!(await markRetried(tx, quarantinedJobId))) return null;
    const [taken] = await tx`select 1 from ingest_jobs where run_id = ${runId} and source_file = ${job.sourceFile}`;
    const sourceFile = taken ? `${job.sha256.slice(0, 12)}/${job.sourceFile}` : job.sourceFile;
    const file = { sourceFile, sha256: job.sha256, sizeBytes: job.sizeBytes, kind: job.kind, languages: job.languages };
    return insertQueuedJob(tx, runId, file, incomingKey);
  }).catch((error: unknown) => unlessConflict(error) ?? null);
}

/** The unfinished run of `sourceKey` (an interrupted `--retry`), if there is one. */
export async function unfinishedRun(sql: Sql, sourceKey: string): Promise<IngestRun | undefined> {
  const [open] = await sql`select * from ingest_runs where source_key = ${sourceKey} and finished_at is null order by created_at desc limit 1`;
  return open ? toRun(open) : undefined;
}

/** Every file of the run's source is enqueued; the run can finish once its jobs have. */
export async function markEnqueued(sql: Sql, runId: string): Promise<void> {
  await sql`update ingest_runs set enqueued_at = coalesce(enqueued_at, now()) where id = ${runId}`;
  await finishRunIfDone(sql, runId);
}

export async function finishRunIfDone(db: Db, runId: string): Promise<boolean> {
  const rows = await db`
    update ingest_runs set finished_at = now()
    where id = ${runId} and enqueued_at is not null and finished_at is null
      and not exists (select 1 from ingest_jobs where run_id = ${runId} and status in ('queued', 'running'))
    returning id`;
  return rows.length > 0;
}

export interface ClaimOptions {
  workerId: string;
  leaseSeconds: number;
  /** Only this run's jobs (`crvs ingest`); any run's when omitted (`crvs worker ocr`). */
  runId?: string;
}

/**
 * Claims the oldest open job: queued, or running under an expired lease (its worker died).
 * One statement: the row lock of `FOR UPDATE SKIP LOCKED` lets concurrent workers pass each other
 * instead of waiting, and never hands one job to two of them.
 */
export async function claimJob(sql: Sql, options: ClaimOptions): Promise<IngestJob | null> {
  const runFilter = options.runId ? sql`and run_id = ${options.runId}` : sql``;
  const [row] = await sql`
    update ingest_jobs set status = 'running', attempts = attempts + 1, lease_owner = ${options.workerId},
      lease_expires_at = now() + make_interval(secs => ${options.leaseSeconds})
    where id = (
      select id from ingest_jobs
      where ((status = 'queued' and (retry_after is null or retry_after <= now()))
          or (status = 'running' and lease_expires_at < now())) ${runFilter}
      order by id
      for update skip locked
      limit 1)
    returning *`;
  return row ? toJob(row) : null;
}

/** Extends the lease; false when the job is no longer this worker's. */
export async function renewLease(sql: Sql, jobId: bigint, workerId: string, leaseSeconds: number): Promise<boolean> {
  const rows = await sql`
    update ingest_jobs set lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
    where id = ${jobId} and lease_owner = ${workerId} and status = 'running'
    returning id`;
  return rows.length > 0;
}

export interface ReleaseOptions {
  /** false: the failure was not the job's (a service down); the attempt is not counted against it. */
  countAttempt?: boolean;
  /** Wait this long before the job may be claimed again (default: 2 s doubling with each counted attempt, at most 5 minutes). */
  delaySeconds?: number;
}

/** Gives a job back after a failure that may pass, to be retried after a backoff. */
export async function releaseJob(sql: Sql, jobId: bigint, workerId: string, error: string, options: ReleaseOptions = {}): Promise<void> {
  const counted = options.countAttempt ?? true;
  const delay = options.delaySeconds === undefined ? sql`least(300, power(2, attempts))` : sql`${options.delaySeconds}::float8`;
  await sql`
    update ingest_jobs set status = 'queued', lease_owner = null, lease_expires_at = null, last_error = ${error},
      attempts = ${counted ? sql`attempts` : sql`greatest(attempts - 1, 0)`},
      retry_after = now() + make_interval(secs => ${delay})
    where id = ${jobId} and lease_owner = ${workerId} and status = 'running'`;
}

/**
 * Marks this worker's running job final, inside the transaction that stores its result, and throws
 * {@link LeaseLostError} (rolling that transaction back) when another worker has taken it over.
 * Call {@link finishRunIfDone} after that transaction commits: checked inside it, two workers
 * finishing a run's last two jobs at once would each still see the other's job running.
 */
export async function completeJob(
  tx: TransactionSql,
  jobId: bigint,
  workerId: string,
  result: { status: 'done' | 'quarantined'; documentId?: string; pages?: number; error?: string },
): Promise<{ runId: string }> {
  const rows = await tx`
    update ingest_jobs set status = ${result.status}, document_id = ${result.documentId ?? null}, pages = ${result.pages ?? null},
      worker = ${workerId}, lease_owner = null, lease_expires_at = null, finished_at = now(),
      last_error = coalesce(${result.error ?? null}, last_error)
    where id = ${jobId} and lease_owner = ${workerId} and status = 'running'
    returning run_id`;
  if (!rows.length) throw new LeaseLostError(jobId);
  return { runId: rows[0]!.run_id as string };
}

/** Hands back every job a stopping worker holds, so the next worker need not wait for the leases. */
export async function releaseWorkerJobs(sql: Sql, workerId: string): Promise<number> {
  const rows = await sql`
    update ingest_jobs set status = 'queued', lease_owner = null, lease_expires_at = null, attempts = greatest(attempts - 1, 0)
    where lease_owner = ${workerId} and status = 'running'
    returning id`;
  return rows.length;
}
