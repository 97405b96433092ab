/**
 * @module
 * `crvs ingest`: enqueue every file of a directory or manifest into one run (SHA-256 first: the
 * same bytes are a duplicate, never stored twice), then, unless told to leave the work to
 * `crvs worker ocr` processes, work the run's queue in this process until the run has finished.
 *
 * Nothing here keeps state outside the database and the object store, so an ingest killed at any
 * point (kill -9) resumes where it stopped when run again: files already enqueued are known,
 * finished jobs stay finished, and the job the dead process held is claimed again once its lease
 * expires.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Sql } from '../../services/database/client.ts';
import { putObject, type ObjectStore } from '../../services/objectstore/client.ts';
import type { Logger } from '../../services/observability/logger.ts';
import { incomingKey, sha256Hex } from '../archive/keys.ts';
import { enqueueFile, markEnqueued, openRun, getRun, type IngestRun } from '../queue/jobs.ts';
import { runWorkerLoop } from '../queue/worker.ts';
import { jobProcessor } from './process-job.ts';
import { progressBar } from './progress.ts';
import { createDocumentReader, type DocumentKind } from './read-document.ts';
import { runSummary, runProgress, type IngestSummary } from './summary.ts';
import type { Source, SourceFile } from './sources.ts';

export { DEFAULT_REVIEW_THRESHOLD } from '../archive/entry.ts';
export const DEFAULT_LANGUAGES = 'rus+uzb+uzb_cyrl';
export const DEFAULT_LEASE_SECONDS = 60;

export interface IngestOptions {
  languages: string;
  kind: DocumentKind | null;
  concurrency: number;
  reviewThreshold: number;
  leaseSeconds: number;
  /** false: only enqueue; `crvs worker ocr` processes do the work. */
  process: boolean;
  tessdataDir: string;
  /** Largest page decoded, in pixels (SCAN_MAX_PIXELS). */
  maxPixels?: number;
  showProgress: boolean;
  /** Names this process's claims in the queue (default: {@link workerIdentity}). */
  workerId?: string;
}

export interface IngestServices {
  sql: Sql;
  store: ObjectStore;
  logger?: Logger;
}

/** A worker id that tells an operator where the worker runs. */
export const workerIdentity = (role: string) => `${role}@${hostname()}:${process.pid}`;

export async function ingest(services: IngestServices, source: Source, options: IngestOptions): Promise<IngestSummary> {
  const { sql } = services;
  const since = new Date();
  const { run, resumed } = await openRun(sql, {
    source: source.source,
    sourceKey: source.sourceKey,
    languages: options.languages,
    kind: options.kind,
    reviewThreshold: options.reviewThreshold,
  });
  const bar = progressBar({ enabled: options.showProgress, totalFiles: source.files.length });
  const ticker = setInterval(() => {
    runProgress(sql, run.id, since).then((p) => bar.update(p, source.files.length), () => {});
  }, 1_000);
  const stop = new AbortController();
  try {
    // Enqueueing and working overlap: the first pages are read while later files are still hashed.
    const working = options.process ? work(services, run, options, stop.signal) : Promise.resolve();
    working.catch(() => stop.abort());
    let unreadable: { file: string; error: string }[];
    try {
      unreadable = await enqueueAll(services, run, source.files, options, stop.signal);
      await markEnqueued(sql, run.id);
    } catch (error) {
      stop.abort();
      // When the workers failed first (no OCR data, say), theirs is the reason to show.
      throw (await working.then(() => undefined, (workError: unknown) => workError)) ?? error;
    }
    await working;
    bar.update(await runProgress(sql, run.id, since), source.files.length);
    return await runSummary(sql, (await getRun(sql, run.id)) ?? run, { resumed, since, unreadable });
  } finally {
    clearInterval(ticker);
    bar.stop();
  }
}

async function work(services: IngestServices, run: IngestRun, options: IngestOptions, signal: AbortSignal): Promise<void> {
  const reader = await createDocumentReader({
    tessdataDir: options.tessdataDir,
    concurrency: options.concurrency,
    languages: options.languages.split('+'),
    maxPixels: options.maxPixels,
  });
  try {
    const workerId = options.workerId ?? workerIdentity('ingest');
    await runWorkerLoop({
      sql: services.sql,
      workerId,
      concurrency: options.concurrency,
      leaseSeconds: options.leaseSeconds,
      runId: run.id,
      until: 'run-finished',
      pollMs: 500,
      signal,
      handle: jobProcessor({ sql: services.sql, store: services.store, reader, workerId, logger: services.logger }),
      onQueueError: (err, consecutive) => services.logger?.warn({ err, consecutive }, 'cannot reach the job queue; trying again'),
    });
  } finally {
    await reader.close();
  }
}

/** Hashes and enqueues every file, a few at a time; returns the files that could not be read. */
async function enqueueAll(services: IngestServices, run: IngestRun, files: SourceFile[], options: IngestOptions, signal: AbortSignal) {
  const unreadable: { file: string; error: string }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      signal.throwIfAborted();
      const file = files[next++]!;
      const problem = await enqueueOne(services, run, file, options);
      if (problem) unreadable.push({ file: file.sourceFile, error: problem });
    }
  };
  // Reading files and uploading them overlaps with a few lanes; more would only queue on the disk.
  await Promise.all(Array.from({ length: 4 }, lane));
  return unreadable;
}

/** Enqueues one file; returns why it could not be read from disk, if it could not. */
async function enqueueOne(services: IngestServices, run: IngestRun, file: SourceFile, options: IngestOptions): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file.absolutePath);
  } catch (error) {
    return (error as Error).message;
  }
  const sha256 = sha256Hex(bytes);
  await enqueueFile(
    services.sql,
    run.id,
    { sourceFile: file.sourceFile, sha256, sizeBytes: bytes.length, kind: file.kind ?? options.kind, languages: file.languages ?? options.languages },
    async () => {
      const key = incomingKey(sha256);
      await putObject(services.store, key, bytes, { contentType: 'application/octet-stream', metadata: { sha256 } });
      return key;
    },
  );
  return undefined;
}
