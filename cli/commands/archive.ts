/**
 * `crvs archive search QUERY` · `crvs archive show ID` · `crvs archive quarantine` ·
 * `crvs archive export --json` · `crvs archive reindex`: the archive of scanned documents.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { openArchive, type ArchiveServices } from '../../scanner-pipeline/archive/connect.ts';
import { documentHistory, exportDocuments, getDocument } from '../../scanner-pipeline/archive/catalogue.ts';
import { fieldValues, flattenFields } from '../../scanner-pipeline/archive/fields.ts';
import { listQuarantine } from '../../scanner-pipeline/archive/quarantine.ts';
import { reindexArchive, searchArchive } from '../../scanner-pipeline/archive/search.ts';
import { EXIT_CANNOT_RUN, action, oneLine, report } from '../report.ts';
import { positiveInteger } from './ingest.ts';

async function withArchive<T>(applicationName: string, run: (archive: ArchiveServices) => Promise<T>): Promise<T> {
  const archive = await openArchive(loadConfig(), { applicationName, max: 1 });
  try {
    return await run(archive);
  } finally {
    await archive.close();
  }
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

  archive
    .command('quarantine')
    .description('files the pipeline could not read, with the reason and where their bytes are kept')
    .option('--limit <N>', 'at most this many', positiveInteger, 1000)
    .option('--json', 'print the list as JSON')
    .action(
      action(async (flags: { limit: number }) =>
        withArchive('crvs-archive-quarantine', async ({ sql }) => {
          const entries = await listQuarantine(sql, flags.limit);
          const text = entries.length ? entries.map((q) => `${q.sourceFile}: ${q.reason} (${q.detail}) -> ${q.objectKey}`).join('\n') : 'the quarantine is empty';
          return report({ count: entries.length, entries }, text);
        }),
      ),
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
        await withArchive('crvs-archive-export', ({ sql }) => exportDocuments(sql, (line) => writeLine(`${JSON.stringify(line)}\n`)));
      } catch (error) {
        process.stderr.write(`crvs: ${oneLine(error)}\n`);
        process.exitCode = EXIT_CANNOT_RUN;
      }
    });
}

/** Writes with backpressure, so an export of millions of documents streams instead of buffering. */
function writeLine(line: string): Promise<void> | void {
  if (!process.stdout.write(line)) return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}
