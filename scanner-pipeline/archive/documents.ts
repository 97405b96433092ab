/**
 * @module
 * Storing a read document: its objects under content-addressed keys (SHA-256 in each object's
 * metadata), then, in one transaction, the job's completion, the ledger version and the archive
 * row. The objects go first: a crash between the two leaves only objects that the retried job
 * writes again under the same keys, never a ledger entry naming an object that is not there.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../services/database/client.ts';
import { putObject, type ObjectStore } from '../../services/objectstore/client.ts';
import { appendRecordVersion } from '../../services/ledger/record-versions.ts';
import { fromHex } from '../../services/ledger/core.ts';
import { completeJob, finishRunIfDone, type IngestJob } from '../queue/jobs.ts';
import type { DocumentRead } from '../ingest/read-document.ts';
import { ARCHIVE_ENTRY_KIND, newEntryData, searchTextOf, type ReviewStatus } from './entry.ts';
import { scanKeys, sha256Hex, type ObjectRole, type StoredObject } from './keys.ts';

export interface StoredDocument {
  documentId: string;
  pages: number;
  reviewStatus: ReviewStatus;
  pendingReview: string[];
}

interface PendingObject extends StoredObject {
  body: Uint8Array;
  contentType: string;
}

function pendingObject(key: string, role: ObjectRole, body: Uint8Array | string, contentType: string): PendingObject {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { key, role, sha256: sha256Hex(bytes), body: bytes, contentType };
}

/** The original, each page's image and hOCR, and the OCR text, ready to put. */
export function documentObjects(job: Pick<IngestJob, 'sha256' | 'sourceFile'>, original: Uint8Array, read: DocumentRead): PendingObject[] {
  const keys = scanKeys(job.sha256);
  const objects = [pendingObject(keys.original(job.sourceFile), 'original', original, 'application/octet-stream')];
  for (const page of read.pages) {
    objects.push(pendingObject(keys.pageImage(page.number, page.imageExtension), 'page-image', page.image, page.imageContentType));
    // A blank page is not read: it has an image and no layout.
    if (page.hocr !== null) objects.push(pendingObject(keys.hocr(page.number), 'hocr', page.hocr, 'text/vnd.hocr+html; charset=utf-8'));
  }
  objects.push(pendingObject(keys.ocrText(), 'ocr-text', read.text, 'text/plain; charset=utf-8'));
  return objects;
}

export async function putObjects(store: ObjectStore, objects: PendingObject[]): Promise<void> {
  // A handful of objects per document; S3 takes them in parallel.
  await Promise.all(objects.map((o) => putObject(store, o.key, o.body, { contentType: o.contentType, metadata: { sha256: o.sha256 } })));
}

export interface StoreDocumentInput {
  job: IngestJob;
  workerId: string;
  original: Uint8Array;
  read: DocumentRead;
  reviewThreshold: number;
}

export async function storeDocument(sql: Sql, store: ObjectStore, input: StoreDocumentInput): Promise<StoredDocument> {
  const { job, read } = input;
  const objects = documentObjects(job, input.original, read);
  await putObjects(store, objects);
  const data = newEntryData({
    sourceFile: job.sourceFile,
    kind: read.kind,
    language: read.language,
    pages: read.pages.length,
    originalSha256: job.sha256,
    ocrTextSha256: objects.find((o) => o.role === 'ocr-text')!.sha256,
    objects: objects.map(({ key, sha256, role }) => ({ key, sha256, role })),
    fields: read.fields,
    reviewThreshold: input.reviewThreshold,
  });
  const documentId = randomUUID();
  const { runId } = await sql.begin(async (tx) => {
    const done = await completeJob(tx, job.id, input.workerId, { status: 'done', documentId, pages: read.pages.length });
    const version = await appendRecordVersion(tx, { recordId: documentId, kind: ARCHIVE_ENTRY_KIND, data });
    await tx`
      insert into archive_documents (id, original_sha256, source_file, kind, language, pages, ocr_text, ocr_text_sha256,
        ocr_confidence, fields, pending_review, review_status, objects, version, commitment, search_text, ingest_job_id)
      values (${documentId}, ${job.sha256}, ${job.sourceFile}, ${read.kind}, ${read.language}, ${read.pages.length}, ${read.text},
        ${data.ocrTextSha256}, ${read.confidence}, ${tx.json(read.fields as never)}, ${tx.array(data.pendingReview)},
        ${data.reviewStatus}, ${tx.json(data.objects as never)}, ${version.version}, ${fromHex(version.commitment)},
        ${searchTextOf(read.fields, read.text)}, ${job.id})`;
    return done;
  });
  await finishRunIfDone(sql, runId);
  return { documentId, pages: read.pages.length, reviewStatus: data.reviewStatus, pendingReview: data.pendingReview };
}
