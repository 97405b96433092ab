/**
 * @module
 * Test support: an archived document made without OCR, straight through the ingest queue and
 * {@link storeDocument}, as the pipeline stores what it read.
 */
import { createHash } from 'node:crypto';
import type { TestEnvironment } from '../../tests/support/services.ts';
import { claimJob, enqueueFile, openRun } from '../queue/jobs.ts';
import type { DocumentRead } from '../ingest/read-document.ts';
import { storeDocument } from './documents.ts';
import type { FieldTree } from './fields.ts';

/** Archives a one-page record of `text` read in `language` (a birth unless told); answers its document id. */
export async function archiveText(env: TestEnvironment, text: string, fields: FieldTree, language = 'uzb', kind: 'birth' | 'marriage' | null = 'birth'): Promise<string> {
  const original = new TextEncoder().encode(`scan of ${text}`);
  const sha256 = createHash('sha256').update(original).digest('hex');
  const read: DocumentRead = {
    kind,
    language,
    pages: [{ number: 1, image: original, imageExtension: 'png', imageContentType: 'image/png', text, hocr: null, confidence: 0.9 }],
    text,
    confidence: 0.9,
    fields,
  };
  const source = `/archive-text/${sha256}`;
  const { run } = await openRun(env.sql, { source, sourceKey: source, languages: language, kind: null, reviewThreshold: 0.8 });
  await enqueueFile(env.sql, run.id, { sourceFile: 'scan.png', sha256, sizeBytes: original.length, kind: null, languages: language }, async () => 'incoming/x');
  const job = (await claimJob(env.sql, { workerId: 'test', leaseSeconds: 60, runId: run.id }))!;
  return (await storeDocument(env.sql, env.store, { job, workerId: 'test', original, read, reviewThreshold: 0.8 })).documentId;
}
