/**
 * `crvs review list`: archived documents waiting for an archivist, with the fields read with too
 * little confidence. Archivists confirm or fix them through `POST /v1/archive/documents/:id/review`.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../services/config/env.ts';
import { openArchive } from '../../scanner-pipeline/archive/connect.ts';
import { reviewQueue } from '../../scanner-pipeline/archive/catalogue.ts';
import { action, report } from '../report.ts';
import { positiveInteger } from './ingest.ts';

export function registerReview(program: Command): void {
  const review = program.command('review').description('the review queue of archived scans');
  review
    .command('list')
    .description('documents with fields to confirm or fix, oldest first')
    .option('--limit <N>', 'at most this many documents (up to 1000)', positiveInteger, 100)
    .option('--json', 'print the queue as JSON')
    .action(
      action(async (flags: { limit: number }) => {
        const archive = await openArchive(loadConfig(), { applicationName: 'crvs-review', max: 1 });
        try {
          const documents = await reviewQueue(archive.sql, { limit: flags.limit });
          const text = documents.length
            ? documents
                .map((d) =>
                  [
                    `${d.id}  ${d.kind ?? '?'}  ${d.sourceFile}`,
                    ...d.pendingReview.map((f) => `  ${f.field}: ${f.value ?? '(not found)'}  [${f.confidence.toFixed(2)}]`),
                  ].join('\n'),
                )
                .join('\n')
            : 'nothing to review';
          return report({ count: documents.length, documents }, text);
        } finally {
          await archive.close();
        }
      }),
    );
}
