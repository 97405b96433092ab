/**
 * @module
 * The quarantine: files the pipeline could not read (empty, truncated, not an image, a
 * decompression bomb, a blank page, or a job that failed every attempt), each with a stable reason
 * code and the bytes kept under a quarantine key, so nothing handed to the archive is lost and an
 * operator can look at it, fix the cause and ingest it again.
 */
import type { Sql } from '../../services/database/client.ts';
import { putObject, type ObjectStore } from '../../services/objectstore/client.ts';
import { completeJob, finishRunIfDone, type IngestJob } from '../queue/jobs.ts';
import { quarantineKey } from './keys.ts';

export interface QuarantineEntry {
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
      on conflict (sha256) do nothing`;
    return done;
  });
  await finishRunIfDone(sql, runId);
}

export async function listQuarantine(sql: Sql, limit = 1000): Promise<QuarantineEntry[]> {
  const rows = await sql`select * from archive_quarantine order by created_at, sha256 limit ${limit}`;
  return rows.map((r) => ({
    sha256: r.sha256 as string,
    sourceFile: r.source_file as string,
    reason: r.reason as string,
    detail: r.detail as string,
    objectKey: r.object_key as string,
    sizeBytes: Number(r.size_bytes),
    createdAt: r.created_at as Date,
  }));
}
