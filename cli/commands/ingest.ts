/**
 * `crvs ingest DIR` · `crvs ingest --manifest FILE`: ingest archival scans (decode, OCR, extract,
 * store, commit to the ledger) with a progress bar on stderr and a summary on stdout.
 * Exit 0 when every file was ingested, recognised as a duplicate or quarantined with its reason;
 * 2, with the files left queued, when the database or object store stayed unreachable.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { openArchive } from '../../scanner-pipeline/archive/connect.ts';
import {
  DEFAULT_LANGUAGES,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_REVIEW_THRESHOLD,
  ingest,
  workerIdentity,
  type IngestOptions,
  type IngestServices,
} from '../../scanner-pipeline/ingest/run.ts';
import { DEFAULT_SERVICE_WAIT_SECONDS } from '../../scanner-pipeline/queue/worker.ts';
import { releaseWorkerJobs } from '../../scanner-pipeline/queue/jobs.ts';
import { directorySource, manifestSource } from '../../scanner-pipeline/ingest/sources.ts';
import { summaryText, type IngestSummary } from '../../scanner-pipeline/ingest/summary.ts';
import type { DocumentKind } from '../../scanner-pipeline/ingest/read-document.ts';
import { action, report, UsageError, type Report } from '../report.ts';

interface IngestFlags {
  manifest?: string;
  languages: string;
  kind?: DocumentKind;
  concurrency?: number;
  reviewThreshold: number;
  leaseSeconds: number;
  serviceWait: number;
  enqueueOnly?: boolean;
  json?: boolean;
}

export const positiveInteger = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

export const tesseractLanguages = (value: string): string => {
  if (!/^[a-z_]+(\+[a-z_]+)*$/.test(value)) throw new InvalidArgumentError('must be tesseract languages joined by +, e.g. rus+uzb+uzb_cyrl');
  return value;
};

const fraction = (value: string): number => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
};

export function registerIngest(program: Command): void {
  const command = program
    .command('ingest')
    .description('ingest every scan under DIR (or listed in --manifest): preprocess, OCR, extract fields, store, commit to the ledger')
    .argument('[DIR]', 'directory of scans (JPEG, PNG, TIFF; searched recursively, hidden files left out)')
    .option('--manifest <FILE>', 'JSON list ([path] or [{file, kind?, lang?}]) or CSV (file,kind,lang), paths relative to the manifest')
    .option('--languages <LANGS>', 'tesseract languages the scans may be in', tesseractLanguages, DEFAULT_LANGUAGES)
    .addOption(new Option('--kind <KIND>', 'document kind, when known for every file').choices(['birth', 'marriage']));
  addWorkOptions(command)
    .option('--enqueue-only', 'only enqueue; `crvs worker ocr` processes (on any machine) do the work')
    .option('--json', 'print the summary as JSON (and no progress bar)')
    .action(
      action(async (dir: string | undefined, flags: IngestFlags) => {
        if (Boolean(dir) === Boolean(flags.manifest)) throw new UsageError('give a directory or --manifest FILE (one of them)', 'DIR');
        const source = flags.manifest ? await manifestSource(flags.manifest) : await directorySource(dir!);
        return ingestCommand('crvs-ingest', flags, (services, options) => ingest(services, source, options));
      }),
    );
}

/** The options of every command that reads scans in this process (`crvs ingest`, `crvs archive quarantine --retry`). */
export function addWorkOptions(command: Command): Command {
  return command
    .option('--concurrency <N>', `documents read at once (default: OCR_CONCURRENCY, else the number of cores: ${availableParallelism()})`, positiveInteger)
    .option('--review-threshold <X>', 'fields read with less confidence than this put the document in the review queue', fraction, DEFAULT_REVIEW_THRESHOLD)
    .option('--lease-seconds <N>', 'how long a job stays with a worker that stops answering before another takes it', positiveInteger, DEFAULT_LEASE_SECONDS)
    .option(
      '--service-wait <SECONDS>',
      'how long to wait for a database or object store that stops answering before stopping (the files stay queued; run again to resume)',
      positiveInteger,
      DEFAULT_SERVICE_WAIT_SECONDS,
    );
}

export type WorkFlags = Pick<IngestFlags, 'languages' | 'kind' | 'concurrency' | 'reviewThreshold' | 'leaseSeconds' | 'serviceWait' | 'enqueueOnly' | 'json'>;

/**
 * Runs an ingest in this process with the services, signal handling and exit code of
 * `crvs ingest`: exit 0 when every file ended ingested, a duplicate or quarantined for a fault of
 * its own; 1 when some could not be read from disk; 2 (thrown) when a service stayed unreachable,
 * with the files left queued for the same command to resume.
 */
export async function ingestCommand(
  applicationName: string,
  flags: WorkFlags,
  run: (services: IngestServices, options: IngestOptions) => Promise<IngestSummary>,
): Promise<Report> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const archive = await openArchive(config, { applicationName, writer: true });
  const workerId = workerIdentity('ingest');
  // Ctrl-C: give the jobs in hand back at once (a kill -9 leaves them to their leases' expiry).
  const interrupted = async () => {
    const released = await releaseWorkerJobs(archive.sql, workerId).catch(() => 0);
    process.stderr.write(`\ncrvs: interrupted; ${released} jobs handed back. Run the same command again to resume.\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const summary = await run({ sql: archive.sql, store: archive.store, logger }, {
      workerId,
      languages: flags.languages,
      kind: flags.kind ?? null,
      concurrency: flags.concurrency ?? config.ocr.concurrency,
      reviewThreshold: flags.reviewThreshold,
      leaseSeconds: flags.leaseSeconds,
      serviceWaitSeconds: flags.serviceWait,
      process: !flags.enqueueOnly,
      tessdataDir: config.ocr.tessdataDir,
      maxPixels: config.ocr.maxPixels,
      showProgress: !flags.json,
      handBackDir: path.join(config.dataDir, 'ingest-hand-backs'),
    });
    const ok = summary.unreadable.length === 0 && (flags.enqueueOnly || summary.finished);
    return report(summary, summaryText(summary), ok);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await archive.close();
    logger.flush();
  }
}
