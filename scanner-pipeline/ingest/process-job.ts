/**
 * @module
 * What a worker does with one claimed job: fetch the file's bytes from the object store, check
 * them against the SHA-256 they were enqueued under, read them (decode, OCR, extract), and store
 * the document or quarantine the file. Everything a run needs is in the database and the object
 * store, so this runs the same on any machine.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import type { Sql } from '../../services/database/client.ts';
import { getObject, type ObjectStore } from '../../services/objectstore/client.ts';
import type { Logger } from '../../services/observability/logger.ts';
import { storeDocument } from '../archive/documents.ts';
import { DEFAULT_REVIEW_THRESHOLD } from '../archive/entry.ts';
import { sha256Hex } from '../archive/keys.ts';
import { quarantineFile } from '../archive/quarantine.ts';
import { serviceFailure } from '../queue/failures.ts';
import { getRun, LeaseLostError, type IngestJob, type IngestRun } from '../queue/jobs.ts';
import type { JobHandler, JobResult } from '../queue/worker.ts';
import type { DocumentKind, DocumentReader } from './read-document.ts';

/**
 * After this many attempts a job that keeps failing (or killing its worker) is quarantined. A
 * service that does not answer is not the job's failure and uses up none of them (failures.ts).
 */
export const MAX_ATTEMPTS = 3;

export interface ProcessContext {
  sql: Sql;
  store: ObjectStore;
  reader: DocumentReader;
  workerId: string;
  logger?: Logger;
  maxAttempts?: number;
}

/** A job handler for {@link runWorkerLoop} over the given reader and services. */
export function jobProcessor(ctx: ProcessContext): JobHandler {
  const runs = new Map<string, Promise<IngestRun | undefined>>();
  const runOf = (id: string) => {
    if (!runs.has(id)) runs.set(id, getRun(ctx.sql, id));
    return runs.get(id)!;
  };
  return async (job, lease) => {
    try {
      const run = await runOf(job.runId);
      return await processJob(ctx, job, run?.reviewThreshold ?? DEFAULT_REVIEW_THRESHOLD, lease.signal);
    } catch (error) {
      if (error instanceof LeaseLostError) return { status: 'lost' };
      return failed(ctx, job, error);
    }
  };
}

/** What a failure of the job means: wait for a service, or one attempt used up. */
function failed(ctx: ProcessContext, job: IngestJob, error: unknown): JobResult {
  const where = { job: String(job.id), file: job.sourceFile };
  const service = serviceFailure(error);
  // One line each, no stack: an outage fails every job in flight, again at every retry.
  if (service) {
    ctx.logger?.warn({ ...where, service: service.service, reason: service.reason }, 'a service the ingest needs did not answer; the job waits');
    return { status: 'unavailable', service: service.service, error: service.reason };
  }
  const message = (error as Error).message ?? String(error);
  ctx.logger?.warn({ ...where, attempt: job.attempts, of: maxAttempts(ctx), reason: message }, 'ingest job failed; will retry');
  return { status: 'retry', error: message };
}

const maxAttempts = (ctx: ProcessContext) => ctx.maxAttempts ?? MAX_ATTEMPTS;

async function processJob(ctx: ProcessContext, job: IngestJob, reviewThreshold: number, lost: AbortSignal): Promise<JobResult> {
  const { sql, store, workerId } = ctx;
  const quarantine = async (bytes: Uint8Array | null, reason: string, detail: string): Promise<JobResult> => {
    await quarantineFile(sql, store, { job, workerId, bytes, reason, detail });
    return { status: 'quarantined', reason };
  };
  const bytes = job.incomingKey ? await getObject(store, job.incomingKey) : null;
  // `attempts` counts this claim too: the ones before it all failed.
  if (job.attempts > maxAttempts(ctx)) {
    const out = await quarantine(bytes, 'processing-failed', `gave up after ${maxAttempts(ctx)} attempts: ${job.lastError ?? 'the worker stopped during the job'}`);
    if (bytes) await dropIncoming(ctx, job);
    return out;
  }
  if (!bytes) return { status: 'retry', error: `the file's bytes are missing from the object store (${job.incomingKey})` };
  const found = sha256Hex(bytes);
  if (found !== job.sha256) {
    // The bytes as found are the evidence: kept under the quarantine key, since a retake of the
    // file uploads to (and then deletes) the same incoming key.
    const out = await quarantine(bytes, 'checksum-mismatch', `the stored bytes have the SHA-256 ${found}, not ${job.sha256} as when they were enqueued`);
    await dropIncoming(ctx, job);
    return out;
  }
  const result = await ctx.reader.read({
    bytes,
    fileName: job.sourceFile,
    languages: job.languages.split('+').filter(Boolean),
    kind: (job.kind as DocumentKind | null) ?? undefined,
  });
  if (lost.aborted) throw new LeaseLostError(job.id);
  if (result.status === 'quarantine') {
    const out = await quarantine(bytes, result.reason, result.detail);
    await dropIncoming(ctx, job);
    return out;
  }
  const stored = await storeDocument(sql, store, { job, workerId, original: bytes, read: result.document, reviewThreshold });
  await dropIncoming(ctx, job);
  return { status: 'done', pages: stored.pages, reviewStatus: stored.reviewStatus };
}

/**
 * The waiting copy is no longer needed once the file is archived or quarantined (the job is final
 * and is the only one ever to hold this SHA-256). Failing to delete costs space, not correctness.
 */
async function dropIncoming(ctx: ProcessContext, job: IngestJob): Promise<void> {
  if (!job.incomingKey) return;
  await ctx.store.client.send(new DeleteObjectCommand({ Bucket: ctx.store.bucket, Key: job.incomingKey })).catch((err) => {
    ctx.logger?.warn({ err, key: job.incomingKey }, 'could not delete the incoming copy');
  });
}
