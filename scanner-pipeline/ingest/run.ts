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
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Sql } from '../../services/database/client.ts';
import { ServiceUnavailableError } from '../../services/errors.ts';
import { getObject, putObject, type ObjectStore } from '../../services/objectstore/client.ts';
import type { Logger } from '../../services/observability/logger.ts';
import { incomingKey, sha256Hex } from '../archive/keys.ts';
import type { QuarantineEntry } from '../archive/quarantine.ts';
import { modelFile, parseLanguages } from '../ocr/languages.ts';
import { enqueueFile, markEnqueued, openRun, getRun, queuedInRun, requeueQuarantined, type IngestRun } from '../queue/jobs.ts';
import { handBackPending, runWorkerLoop, ServiceOutageError, type PendingHandBack } from '../queue/worker.ts';
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
  /** How long to wait for a database or object store that does not answer before stopping (default: the worker loop's). */
  serviceWaitSeconds?: number;
  /** Wait after a service failure (tests shorten it). */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * Where a run stopped by a database outage leaves the jobs it could not give back, for the next
   * run to give back without counting an attempt ({@link keepHandBacks}); none kept when omitted.
   */
  handBackDir?: string;
}

export interface IngestServices {
  sql: Sql;
  store: ObjectStore;
  logger?: Logger;
}

/** A worker id that tells an operator where the worker runs. */
export const workerIdentity = (role: string) => `${role}@${hostname()}:${process.pid}`;

export async function ingest(services: IngestServices, source: Source, options: IngestOptions): Promise<IngestSummary> {
  if (options.process) checkLanguages([options.languages, ...source.files.map((f) => f.languages ?? '')], options.tessdataDir);
  const opened = await openRun(services.sql, {
    source: source.source,
    sourceKey: source.sourceKey,
    languages: options.languages,
    kind: options.kind,
    reviewThreshold: options.reviewThreshold,
  });
  return runIngest(services, opened, source.files.length, options, (signal) => enqueueAll(services, opened.run, source.files, options, signal));
}

/** The run that `crvs archive quarantine --retry` puts files into; an interrupted retry resumes it. */
export const QUARANTINE_RETRY_SOURCE = 'quarantine';

/**
 * Reads quarantined files again (`crvs archive quarantine --retry`), from the bytes the quarantine
 * kept, in one run with the same progress, summary and exit codes as `crvs ingest`. Each entry is
 * taken again whatever its reason: the operator may have raised SCAN_MAX_PIXELS, installed a
 * language, or judged a page blank by mistake; a file that fails again is quarantined again.
 */
export async function retryQuarantine(services: IngestServices, entries: QuarantineEntry[], options: IngestOptions): Promise<IngestSummary> {
  // No entries: only the unfinished retry run is worked (openRun resumes it).
  const jobs = entries.length
    ? await services.sql<{ languages: string }[]>`select distinct languages from ingest_jobs where id in ${services.sql(entries.map((e) => e.jobId))}`
    : [];
  // Each file is read in the languages it was first enqueued with.
  const languages = parseLanguages(jobs.flatMap((j) => parseLanguages(j.languages))).join('+');
  if (options.process) checkLanguages([languages], options.tessdataDir);
  const opened = await openRun(services.sql, {
    source: QUARANTINE_RETRY_SOURCE,
    sourceKey: QUARANTINE_RETRY_SOURCE,
    languages,
    kind: options.kind,
    reviewThreshold: options.reviewThreshold,
  });
  return runIngest(services, opened, entries.length, options, async () => {
    const unreadable: { file: string; error: string }[] = [];
    for (const entry of entries) {
      const problem = await requeueOne(services, opened.run, entry);
      if (problem) unreadable.push({ file: entry.sourceFile, error: problem });
    }
    return unreadable;
  });
}

/**
 * Every OCR language the run will ask for is installed, checked before anything is enqueued: a
 * missing one is the configuration's fault (MissingLanguageError, `config-invalid`), and would
 * otherwise fail every file.
 */
export function checkLanguages(languageSets: readonly string[], tessdataDir: string): void {
  for (const language of parseLanguages(languageSets.flatMap((set) => parseLanguages(set)))) modelFile(language, tessdataDir);
}

/**
 * Enqueues (with `enqueue`) and, unless told to leave the work to `crvs worker ocr`, works the
 * run's queue in this process until the run has finished; then sums it up.
 */
async function runIngest(
  services: IngestServices,
  opened: { run: IngestRun; resumed: boolean },
  totalFiles: number,
  options: IngestOptions,
  enqueue: (signal: AbortSignal) => Promise<{ file: string; error: string }[]>,
): Promise<IngestSummary> {
  const { sql } = services;
  const { run, resumed } = opened;
  const since = new Date();
  const bar = progressBar({ enabled: options.showProgress, totalFiles });
  const ticker = setInterval(() => {
    runProgress(sql, run.id, since).then((p) => bar.update(p, totalFiles), () => {});
  }, 1_000);
  const stop = new AbortController();
  if (options.handBackDir) await handBackKept(sql, options.handBackDir);
  try {
    // Enqueueing and working overlap: the first pages are read while later files are still hashed.
    const working = options.process ? work(services, run, options, stop.signal) : Promise.resolve();
    working.catch(() => stop.abort());
    let unreadable: { file: string; error: string }[];
    try {
      unreadable = await enqueue(stop.signal);
      await markEnqueued(sql, run.id);
    } catch (error) {
      stop.abort();
      // When the workers failed first, theirs is the reason to show.
      throw await stoppedBecause(sql, run, options, (await working.then(() => undefined, (workError: unknown) => workError)) ?? error);
    }
    await working.catch(async (error: unknown) => {
      throw await stoppedBecause(sql, run, options, error);
    });
    bar.update(await runProgress(sql, run.id, since), totalFiles);
    return await runSummary(sql, (await getRun(sql, run.id)) ?? run, { resumed, since, unreadable });
  } finally {
    clearInterval(ticker);
    bar.stop();
  }
}

/**
 * A run stopped by a service outage says what is left: those files are still queued, not
 * quarantined, and the same command resumes them.
 */
async function stoppedBecause(sql: Sql, run: IngestRun, options: IngestOptions, error: unknown): Promise<unknown> {
  if (!(error instanceof ServiceOutageError)) return error;
  // The database has just failed for the whole wait: the note is for the next run, not a last try here.
  if (options.handBackDir) await keepHandBacks(options.handBackDir, error.pendingHandBacks).catch(() => {});
  else await handBackPending(sql, error.pendingHandBacks);
  const progress = await runProgress(sql, run.id, new Date()).catch(() => undefined);
  const left = progress ? `${progress.queued + progress.running} files of run ${run.id} stay queued` : `the files of run ${run.id} not yet read stay queued`;
  return new ServiceUnavailableError(error.service, `${error.message.replace(/^.*? is unreachable: /, '')}; ${left}: run the same command again once it answers`, error);
}

/**
 * A job whose hand-back never succeeded before a database outage stopped the run is still
 * `running` in the database under this process's name, its claim counted as an attempt. Left to
 * its lease's expiry, the next claim would count another, as for a worker that died on the file,
 * and a few outages would quarantine it as `processing-failed`. Only this process knows it stopped
 * for an outage, and the database cannot be told while it does not answer: so the note waits in a
 * file, and the next run (any `crvs ingest` or `--retry` on this machine) gives the job back with
 * the attempt uncounted ({@link handBackKept}) before it claims anything. A process that dies
 * (kill -9, a decoder crash) leaves no note, and its claim counts, as it should.
 */
async function keepHandBacks(dir: string, pending: readonly PendingHandBack[]): Promise<void> {
  if (!pending.length) return;
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${randomUUID()}.json`), JSON.stringify(pending));
}

/** Gives back the jobs of every note {@link keepHandBacks} left; a note whose jobs the database still refuses stays. */
async function handBackKept(sql: Sql, dir: string): Promise<void> {
  const notes = await readdir(dir).catch(() => [] as string[]);
  for (const note of notes.filter((n) => n.endsWith('.json'))) {
    const file = path.join(dir, note);
    const pending = JSON.parse(await readFile(file, 'utf8')) as PendingHandBack[];
    const left = await handBackPending(sql, pending);
    if (left.length) await writeFile(file, JSON.stringify(left));
    else await rm(file, { force: true });
  }
}

async function work(services: IngestServices, run: IngestRun, options: IngestOptions, signal: AbortSignal): Promise<void> {
  const reader = await createDocumentReader({
    tessdataDir: options.tessdataDir,
    concurrency: options.concurrency,
    languages: parseLanguages(run.languages),
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
      serviceWaitSeconds: options.serviceWaitSeconds,
      backoff: options.backoff,
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

/**
 * Puts one quarantined file back in the queue: its kept bytes are copied to the incoming key (the
 * worker deletes that copy when done; the quarantine keeps its own). Returns why it could not be.
 */
async function requeueOne(services: IngestServices, run: IngestRun, entry: QuarantineEntry): Promise<string | undefined> {
  // Queued by a retry interrupted after enqueueing: a worker of this run may be reading its incoming
  // object this moment, and uploading it again would race that read on a store whose PUT is not
  // atomic (the embedded s3rver rewrites the file in place: a checksum mismatch, seen in CI).
  if (await queuedInRun(services.sql, run.id, entry.sha256)) return undefined;
  const bytes = await getObject(services.store, entry.objectKey);
  if (!bytes || sha256Hex(bytes) !== entry.sha256) {
    return `the bytes kept under ${entry.objectKey} are ${bytes ? 'not the file\'s' : 'missing'}: ingest the file itself again`;
  }
  const key = incomingKey(entry.sha256);
  await putObject(services.store, key, bytes, { contentType: 'application/octet-stream', metadata: { sha256: entry.sha256 } });
  const jobId = await requeueQuarantined(services.sql, run.id, BigInt(entry.jobId), key);
  return jobId === null ? 'taken out of the quarantine meanwhile' : undefined;
}
