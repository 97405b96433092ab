/**
 * @module
 * The quarantine: files the pipeline could not read (empty, truncated, not an image, a
 * decompression bomb, a blank page, or a job that failed every attempt), each with a stable reason
 * code and the bytes kept under a quarantine key, so nothing handed to the archive is lost and an
 * operator can look at it, fix the cause and ingest it again (`crvs archive quarantine --retry`, or,
 * for a failure that was not the file's, simply the same ingest again: queue/jobs.ts). An entry
 * taken again stays, marked `retried_at`, as the history of that file; the quarantine shows the
 * current entries.
 */
import type { Sql } from '../../services/database/client.ts';
import { RegistryError } from '../../services/errors.ts';
import { putObject, type ObjectStore } from '../../services/objectstore/client.ts';
import { completeJob, finishRunIfDone, type IngestJob } from '../queue/jobs.ts';
import { quarantineKey } from './keys.ts';

export interface QuarantineEntry {
  /** The quarantined ingest job (a bigint, as text: JSON has no bigint). */
  jobId: string;
  sha256: string;
  sourceFile: string;
  reason: string;
  detail: string;
  objectKey: string;
  sizeBytes: number;
  createdAt: Date;
}

export interface QuarantineInput {
  job: IngestJob;
  workerId: string;
  /** The file's bytes; null when they could not be fetched any more (kept under the incoming key). */
  bytes: Uint8Array | null;
  reason: string;
  detail: string;
}

export async function quarantineFile(sql: Sql, store: ObjectStore, input: QuarantineInput): Promise<void> {
  const { job } = input;
  let objectKey = job.incomingKey ?? '';
  if (input.bytes) {
    objectKey = quarantineKey(job.sha256, job.sourceFile);
    // S3 user metadata must be US-ASCII: the reason code is, the free-text detail may not be.
    await putObject(store, objectKey, input.bytes, { contentType: 'application/octet-stream', metadata: { sha256: job.sha256, reason: input.reason } });
  }
  const { runId } = await sql.begin(async (tx) => {
    const done = await completeJob(tx, job.id, input.workerId, { status: 'quarantined', error: `${input.reason}: ${input.detail}` });
    await tx`
      insert into archive_quarantine (sha256, source_file, reason, detail, object_key, size_bytes, ingest_job_id)
      values (${job.sha256}, ${job.sourceFile}, ${input.reason}, ${input.detail}, ${objectKey}, ${job.sizeBytes}, ${job.id})
      on conflict do nothing`;
    return done;
  });
  await finishRunIfDone(sql, runId);
}

const toEntry = (r: Record<string, unknown>): QuarantineEntry => ({
  jobId: String(r.ingest_job_id),
  sha256: r.sha256 as string,
  sourceFile: r.source_file as string,
  reason: r.reason as string,
  detail: r.detail as string,
  objectKey: r.object_key as string,
  sizeBytes: Number(r.size_bytes),
  createdAt: r.created_at as Date,
});

/** The current entries (not taken again), oldest first. */
export async function listQuarantine(sql: Sql, limit = 1000): Promise<QuarantineEntry[]> {
  const rows = await sql`select * from archive_quarantine where retried_at is null order by created_at, sha256 limit ${limit}`;
  return rows.map(toEntry);
}

/** Shortest SHA-256 prefix accepted as an entry's id (what `crvs archive quarantine` prints). */
export const MIN_ID_LENGTH = 8;

/**
 * The current entries named by SHA-256 (or a prefix of at least {@link MIN_ID_LENGTH} characters),
 * in the order given; a name that matches none, or more than one, is refused before anything changes.
 * An entry already taken again by the unfinished run of `retrySourceKey` (an interrupted `--retry`)
 * still counts as current, so that the same `--retry` resumes.
 */
export async function quarantineEntries(sql: Sql, ids: readonly string[], retrySourceKey?: string): Promise<QuarantineEntry[]> {
  const entries: QuarantineEntry[] = [];
  for (const id of ids) {
    if (!new RegExp(`^[0-9a-f]{${MIN_ID_LENGTH},64}$`).test(id)) {
      throw new RegistryError('malformed-request', `${id}: a quarantine id is the file's SHA-256 (at least its first ${MIN_ID_LENGTH} hex digits)`, { field: 'ID' });
    }
    const rows = await sql`
      select distinct on (q.sha256) q.* from archive_quarantine q
      where q.sha256 like ${`${id}%`} and (q.retried_at is null or exists (
        select 1 from ingest_jobs j join ingest_runs r on r.id = j.run_id
        where r.source_key = ${retrySourceKey ?? null} and r.finished_at is null and j.sha256 = q.sha256 and j.retried_at is null))
      order by q.sha256, q.created_at desc limit 2`;
    if (rows.length !== 1) throw new RegistryError(rows.length ? 'malformed-request' : 'not-found', `${id}: ${rows.length ? 'names more than one quarantined file; give more of its SHA-256' : 'no such file in the quarantine'}`, { field: 'ID' });
    entries.push(toEntry(rows[0]!));
  }
  return entries;
}
