import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { claimJob, enqueueFile, openRun } from '../queue/jobs.ts';
import type { DocumentRead } from '../ingest/read-document.ts';
import { storeDocument } from './documents.ts';
import { getDocument } from './catalogue.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

/** Archives a one-page birth record read as `text`, with a child named Ismoilov. */
async function archived(text: string): Promise<string> {
  const original = new TextEncoder().encode(`scan of ${text}`);
  const sha256 = createHash('sha256').update(original).digest('hex');
  const read: DocumentRead = {
    kind: 'birth',
    language: 'uzb',
    pages: [{ number: 1, image: original, imageExtension: 'png', imageContentType: 'image/png', text, hocr: null, confidence: 0.9 }],
    text,
    confidence: 0.9,
    fields: { child: { familyName: { value: 'Ismoilov', confidence: 0.95 } } },
  };
  const source = `/ledger-check/${sha256}`;
  const { run } = await openRun(env.sql, { source, sourceKey: source, languages: 'uzb', kind: null, reviewThreshold: 0.8 });
  await enqueueFile(env.sql, run.id, { sourceFile: 'scan.png', sha256, sizeBytes: original.length, kind: null, languages: 'uzb' }, async () => 'incoming/x');
  const job = (await claimJob(env.sql, { workerId: 'test', leaseSeconds: 60, runId: run.id }))!;
  return (await storeDocument(env.sql, env.store, { job, workerId: 'test', original, read, reviewThreshold: 0.8 })).documentId;
}

describe('an archived document whose row was changed behind the application’s back', () => {
  it('is shown as it was archived while nobody changed it', async () => {
    const id = await archived('Ismoilov Anvar, 1984');
    expect((await getDocument(env.sql, id)).fields).toEqual({ child: { familyName: { value: 'Ismoilov', confidence: 0.95 } } });
  });

  it('is refused, naming the fields, when a field was edited', async () => {
    const id = await archived('Ismoilov Botir, 1985');
    await env.sql`update archive_documents set fields = jsonb_set(fields, '{child,familyName,value}', '"Forgedov"') where id = ${id}`;
    await expect(getDocument(env.sql, id)).rejects.toMatchObject({ code: 'integrity-failure', details: { faults: ['fields differs from the ledger\'s version 1'] } });
  });

  it('is refused when its OCR text no longer matches the committed SHA-256', async () => {
    const id = await archived('Ismoilov Dilshod, 1986');
    await env.sql`update archive_documents set ocr_text = replace(ocr_text, 'Ismoilov', 'Forgedov') where id = ${id}`;
    await expect(getDocument(env.sql, id)).rejects.toMatchObject({ code: 'integrity-failure', details: { faults: ['the OCR text no longer matches its SHA-256'] } });
  });

  it('is refused when its kind was changed', async () => {
    const id = await archived('Ismoilov Erkin, 1987');
    await env.sql`update archive_documents set kind = 'marriage' where id = ${id}`;
    await expect(getDocument(env.sql, id)).rejects.toMatchObject({ code: 'integrity-failure', details: { faults: ['kind differs from the ledger\'s version 1'] } });
  });
});
