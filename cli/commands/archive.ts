/**
 * `crvs archive search QUERY` · `crvs archive show ID` · `crvs archive quarantine [--retry ID...|--all]` ·
 * `crvs archive export --json` · `crvs archive reindex`: the archive of scanned documents.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { openArchive, type ArchiveServices } from '../../scanner-pipeline/archive/connect.ts';
import { documentHistory, exportDocuments, getDocument } from '../../scanner-pipeline/archive/catalogue.ts';
import { fieldValues, flattenFields } from '../../scanner-pipeline/archive/fields.ts';
import { listQuarantine, quarantineEntries, type QuarantineEntry } from '../../scanner-pipeline/archive/quarantine.ts';
import { QUARANTINE_RETRY_SOURCE, retryQuarantine } from '../../scanner-pipeline/ingest/run.ts';
import { unfinishedRun } from '../../scanner-pipeline/queue/jobs.ts';
import { reindexArchive, searchArchive } from '../../scanner-pipeline/archive/search.ts';
import { EXIT_CANNOT_RUN, EXIT_OK, UsageError, action, oneLine, report } from '../report.ts';
import { addWorkOptions, ingestCommand, positiveInteger, type WorkFlags } from './ingest.ts';

async function withArchive<T>(applicationName: string, run: (archive: ArchiveServices) => Promise<T>): Promise<T> {
  const archive = await openArchive(loadConfig(), { applicationName, max: 1 });
  try {
    return await run(archive);
  } finally {
    await archive.close();
  }
}

interface QuarantineFlags extends Omit<WorkFlags, 'languages'> {
  retry?: boolean;
  all?: boolean;
  limit: number;
}

/** The entry's id as listed: enough of its SHA-256 to name it. */
const shortId = (entry: QuarantineEntry) => entry.sha256.slice(0, 12);

function quarantineReport(entries: QuarantineEntry[]) {
  const text = entries.length
    ? entries.map((q) => `${shortId(q)}  ${q.sourceFile}: ${q.reason} (${q.detail}) -> ${q.objectKey}`).join('\n')
    : 'the quarantine is empty';
  return report({ count: entries.length, entries }, text);
}

export function registerArchive(program: Command): void {
  const archive = program.command('archive').description('search, show and export archived scans');

  archive
    .command('search')
    .description('documents with a name, date or number in their fields or OCR text; Latin finds Cyrillic and the other way round')
    .argument('<QUERY...>', 'words to look for, e.g. Yusufov 13.11.1983')
    .option('--limit <N>', 'at most this many results (up to 200)', positiveInteger, 20)
    .option('--json', 'print the results as JSON')
    .action(
      action(async (words: string[], flags: { limit: number }) =>
        withArchive('crvs-archive-search', async ({ sql }) => {
          const query = words.join(' ');
          const results = await searchArchive(sql, query, { limit: flags.limit });
          const lines = results.map((r) => {
            if (r.fields === null) return `${r.id}  ${r.score.toFixed(2)}  ${r.kind ?? '?'}  ${r.sourceFile}  DOES NOT MATCH ITS LEDGER ENTRY: ${r.faults!.join('; ')}`;
            const values = fieldValues(r.fields);
            const name = ['child', 'husband', 'wife']
              .map((who) => values[who] as Record<string, string | null> | undefined)
              .filter(Boolean)
              .map((p) => [p!.familyName, p!.givenName, p!.patronymic].filter(Boolean).join(' '))
              .join(' & ');
            return `${r.id}  ${r.score.toFixed(2)}  ${r.kind ?? '?'}  ${r.sourceFile}  ${name}`;
          });
          return report({ query, count: results.length, results }, results.length ? lines.join('\n') : `nothing found for "${query}"`);
        }),
      ),
    );

  archive
    .command('show')
    .description('one document: fields with confidences, review status, stored objects and ledger versions')
    .argument('<ID>', 'document id')
    .option('--json', 'print the document as JSON')
    .action(
      action(async (id: string) =>
        withArchive('crvs-archive-show', async ({ sql }) => {
          const document = await getDocument(sql, id);
          const history = await documentHistory(sql, id);
          const fields = [...flattenFields(document.fields)].map(
            ([path, f]) => `  ${path}: ${f.value ?? '(not found)'}  [${f.confidence.toFixed(2)}${f.reviewed ? ', reviewed' : ''}]`,
          );
          const text = [
            `${document.id}  ${document.kind ?? '?'}  ${document.language ?? '?'}  ${document.sourceFile}  (${document.pages} pages, ${document.reviewStatus})`,
            `original sha256 ${document.originalSha256}, OCR text sha256 ${document.ocrTextSha256}`,
            ...fields,
            ...history.map((v) => `  version ${v.version} ${v.commitment} ${v.anchoring.status}`),
          ].join('\n');
          return report({ ...document, history }, text);
        }),
      ),
    );

  const quarantine = archive
    .command('quarantine')
    .description('files the pipeline could not read, with the reason and where their bytes are kept; with --retry, read them again')
    .argument('[ID...]', 'with --retry: the files to read again, by the id the list shows (the start of their SHA-256)')
    .option('--retry', 'read the named files (or --all) again from the bytes the quarantine kept, as `crvs ingest` would')
    .option('--all', 'with --retry: every file in the quarantine')
    .option('--limit <N>', 'at most this many', positiveInteger, 1000);
  addWorkOptions(quarantine)
    .option('--json', 'print the list (or the retry summary) as JSON')
    .action(
      action(async (ids: string[], flags: QuarantineFlags) => {
        if (!flags.retry) {
          if (ids.length || flags.all) throw new UsageError('IDs and --all go with --retry', 'ID');
          return withArchive('crvs-archive-quarantine', async ({ sql }) => quarantineReport(await listQuarantine(sql, flags.limit)));
        }
        if (Boolean(ids.length) === Boolean(flags.all)) throw new UsageError('--retry needs the IDs of the files to read again, or --all (one of them)', 'ID');
        // An interrupted retry is resumed whatever is selected: its queued jobs are worked too.
        const [entries, interrupted] = await withArchive('crvs-archive-quarantine', async ({ sql }) => [
          flags.all ? await listQuarantine(sql, flags.limit) : await quarantineEntries(sql, ids, QUARANTINE_RETRY_SOURCE),
          await unfinishedRun(sql, QUARANTINE_RETRY_SOURCE),
        ] as const);
        if (!entries.length && !interrupted) return report({ count: 0, entries: [] }, 'the quarantine is empty: nothing to retry');
        return ingestCommand('crvs-archive-quarantine-retry', { ...flags, languages: '' }, (services, options) => retryQuarantine(services, entries, options));
      }),
    );

  archive
    .command('reindex')
    .description('recompute the search form of every document (after an upgrade that changes how names are folded)')
    .option('--json', 'print the count as JSON')
    .action(
      action(async () =>
        withArchive('crvs-archive-reindex', async ({ sql }) => {
          const documents = await reindexArchive(sql);
          return report({ documents }, `reindexed ${documents} documents`);
        }),
      ),
    );

  archive
    .command('export')
    .description('every document, one JSON object a line: id, sourceFile, kind, language, pages, originalSha256, fields, ocrText, reviewStatus')
    .option('--json', 'JSON Lines on stdout (the only format)')
    .action(async () => {
      try {
        const write = stdoutLines();
        await withArchive('crvs-archive-export', ({ sql }) => exportDocuments(sql, (line) => write(`${JSON.stringify(line)}\n`)));
      } catch (error) {
        if (error instanceof StdoutClosed) {
          // `crvs archive export --json | head`: the reader has what it wanted.
          process.exitCode = EXIT_OK;
          return;
        }
        process.stderr.write(`crvs: ${oneLine(error)}\n`);
        process.exitCode = EXIT_CANNOT_RUN;
      }
    });
}

/** Whoever read stdout closed it (EPIPE): the export stops without a word. */
class StdoutClosed extends Error {}

/**
 * A writer of lines to stdout with backpressure, so an export of millions of documents streams
 * instead of buffering, that throws {@link StdoutClosed} once the reading end has gone away.
 */
function stdoutLines(): (line: string) => Promise<void> | void {
  let closed = false;
  // Any other write error is raised by the next write, where the command's one-line report sees
  // it; thrown from this listener it would end the process with a stack trace.
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') closed = true;
    else failed = error;
    wake?.();
  });
  return (line) => {
    if (failed) throw failed;
    if (closed) throw new StdoutClosed();
    if (process.stdout.write(line)) return;
    return new Promise<void>((resolve) => {
      wake = resolve;
      process.stdout.once('drain', resolve);
    });
  };
}
