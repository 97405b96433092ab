/**
 * `crvs worker ocr`: works the ingest queue that `crvs ingest` fills, as its own process. Start it
 * on as many machines as there are to spare, against the same database and object store; each
 * claims the next job, and the job of a worker that dies goes to another once its lease expires.
 * Runs until Ctrl-C or SIGTERM (finishing the jobs in hand first), or with `--drain` until there
 * is nothing left to claim.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { openArchive } from '../../scanner-pipeline/archive/connect.ts';
import { jobProcessor } from '../../scanner-pipeline/ingest/process-job.ts';
import { createDocumentReader } from '../../scanner-pipeline/ingest/read-document.ts';
import { checkLanguages, DEFAULT_LANGUAGES, DEFAULT_LEASE_SECONDS, workerIdentity } from '../../scanner-pipeline/ingest/run.ts';
import { runWorkerLoop } from '../../scanner-pipeline/queue/worker.ts';
import { action, report } from '../report.ts';
import { positiveInteger, tesseractLanguages } from './ingest.ts';

interface OcrWorkerFlags {
  concurrency?: number;
  languages: string;
  leaseSeconds: number;
  run?: string;
  drain?: boolean;
  json?: boolean;
}

const runId = (value: string): string => {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw new InvalidArgumentError('must be an ingest run id (a UUID)');
  return value;
};

/** Adds `ocr` to the `crvs worker` group. */
export function registerOcrWorker(worker: Command): void {
  worker
    .command('ocr')
    .description('read queued scans (preprocess, OCR, extract, store) for every ingest run, until stopped')
    .option('--concurrency <N>', 'documents read at once (default: OCR_CONCURRENCY, else the number of cores)', positiveInteger)
    .option('--languages <LANGS>', 'tesseract languages to load up front (each job names its own)', tesseractLanguages, DEFAULT_LANGUAGES)
    .option('--lease-seconds <N>', 'lease on a job, renewed while working; after it lapses another worker may take the job', positiveInteger, DEFAULT_LEASE_SECONDS)
    .option('--run <ID>', 'only jobs of this ingest run (its id is in the summary of `crvs ingest`)', runId)
    .option('--drain', 'stop when there is nothing left to claim')
    .option('--json', 'print what this worker did as JSON when it stops')
    .action(
      action(async (flags: OcrWorkerFlags) => {
        const config = loadConfig();
        const logger = createLogger(config.logLevel);
        const concurrency = flags.concurrency ?? config.ocr.concurrency;
        // Before anything is claimed: a missing language is this machine's configuration, exit 2.
        checkLanguages([flags.languages], config.ocr.tessdataDir);
        const archive = await openArchive(config, { applicationName: 'crvs-ocr-worker', writer: true });
        const stop = new AbortController();
        const onSignal = (signal: string) => {
          logger.info({ signal }, 'finishing the jobs in hand, then stopping');
          stop.abort();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const reader = await createDocumentReader({ tessdataDir: config.ocr.tessdataDir, concurrency, languages: flags.languages.split('+'), maxPixels: config.ocr.maxPixels });
          const workerId = workerIdentity('ocr');
          logger.info({ workerId, concurrency }, 'OCR worker started');
          try {
            const totals = await runWorkerLoop({
              sql: archive.sql,
              workerId,
              concurrency,
              leaseSeconds: flags.leaseSeconds,
              runId: flags.run,
              until: flags.drain ? 'idle' : 'signal',
              signal: stop.signal,
              handle: jobProcessor({ sql: archive.sql, store: archive.store, reader, workerId, logger }),
              onResult: (job, result) => logger.info({ job: String(job.id), file: job.sourceFile, ...result }, 'job finished'),
              onQueueError: (err, consecutive) => logger.warn({ err, consecutive }, 'cannot reach the job queue; trying again'),
            });
            const data = { workerId, ...totals };
            return report(
              data,
              `${workerId}: ${totals.jobs} jobs, ${totals.done} documents (${totals.pages} pages), ${totals.quarantined} quarantined, ${totals.retried} to retry`,
            );
          } finally {
            await reader.close();
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await archive.close();
          logger.flush();
        }
      }),
    );
}
