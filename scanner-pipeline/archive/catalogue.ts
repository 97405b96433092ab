/**
 * @module
 * Reading the archive: one document with its history, the review queue, and the export stream
 * (`crvs archive export --json`, one JSON line per document, the format corpus-dev/score.mjs reads).
 */
import type { Sql } from '../../services/database/client.ts';
import { RegistryError } from '../../services/errors.ts';
import { toHex } from '../../services/ledger/core.ts';
import { anchoringStatuses, recordHistory, type AnchoringStatus } from '../../services/ledger/record-versions.ts';
import type { FieldTree } from './fields.ts';
import type { ReviewStatus } from './entry.ts';
import type { StoredObject } from './keys.ts';
import { assertDocumentMatchesLedger } from './ledger-check.ts';

export interface ArchiveDocument {
  id: string;
  sourceFile: string;
  kind: string | null;
  language: string | null;
  pages: number;
  originalSha256: string;
  ocrTextSha256: string;
  ocrText: string;
  ocrConfidence: number | null;
  fields: FieldTree;
  reviewStatus: ReviewStatus;
  pendingReview: string[];
  objects: StoredObject[];
  version: number;
  commitment: string;
  createdAt: Date;
  updatedAt: Date;
}

export const toDocument = (r: Record<string, unknown>): ArchiveDocument => ({
  id: r.id as string,
  sourceFile: r.source_file as string,
  kind: r.kind as string | null,
  language: r.language as string | null,
  pages: r.pages as number,
  originalSha256: r.original_sha256 as string,
  ocrTextSha256: r.ocr_text_sha256 as string,
  ocrText: r.ocr_text as string,
  ocrConfidence: r.ocr_confidence == null ? null : Number(r.ocr_confidence),
  fields: r.fields as FieldTree,
  reviewStatus: r.review_status as ReviewStatus,
  pendingReview: r.pending_review as string[],
  objects: r.objects as StoredObject[],
  version: r.version as number,
  commitment: toHex(r.commitment as Buffer),
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/** One document, once its row is found to agree with its ledger entry (ledger-check.ts). */
export async function getDocument(sql: Sql, id: string): Promise<ArchiveDocument> {
  const [row] = isUuid(id) ? await sql`select * from archive_documents where id = ${id}` : [];
  if (!row) throw new RegistryError('not-found', `no archived document ${id}`);
  const document = toDocument(row);
  await assertDocumentMatchesLedger(sql, document);
  return document;
}

export interface DocumentVersion {
  version: number;
  commitment: string;
  previousCommitment: string | null;
  createdAt: Date;
  anchoring: AnchoringStatus;
  review?: unknown;
}

/** Every ledger version of the document, oldest first, with where each is anchored. */
export async function documentHistory(sql: Sql, id: string): Promise<DocumentVersion[]> {
  const versions = await recordHistory(sql, id);
  const statuses = await anchoringStatuses(sql, versions.map((v) => v.id));
  return versions.map((v) => ({
    version: v.version,
    commitment: v.commitment,
    previousCommitment: v.previousCommitment,
    createdAt: v.createdAt,
    anchoring: statuses.get(v.id) ?? { status: 'pending' },
    ...(v.content.data.review ? { review: v.content.data.review } : {}),
  }));
}

export interface ReviewItem {
  id: string;
  sourceFile: string;
  kind: string | null;
  language: string | null;
  pendingReview: { field: string; value: string | null; confidence: number }[];
  createdAt: Date;
}

/** Documents waiting for an archivist, oldest first, with the fields to look at. */
export async function reviewQueue(sql: Sql, options: { limit?: number; after?: Date } = {}): Promise<ReviewItem[]> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const rows = await sql`
    select id, source_file, kind, language, fields, pending_review, created_at from archive_documents
    where review_status = 'needs-review' ${options.after ? sql`and created_at > ${options.after}` : sql``}
    order by created_at, id limit ${limit}`;
  return rows.map((r) => {
    const fields = r.fields as FieldTree;
    return {
      id: r.id as string,
      sourceFile: r.source_file as string,
      kind: r.kind as string | null,
      language: r.language as string | null,
      pendingReview: (r.pending_review as string[]).map((field) => {
        const leaf = field.split('.').reduce<unknown>((node, name) => (node as FieldTree | undefined)?.[name], fields) as
          | { value: string | null; confidence: number }
          | undefined;
        return { field, value: leaf?.value ?? null, confidence: leaf?.confidence ?? 0 };
      }),
      createdAt: r.created_at as Date,
    };
  });
}

/** One export line: what corpus-dev/score.mjs and downstream systems read. */
export interface ExportLine {
  id: string;
  sourceFile: string;
  kind: string | null;
  language: string | null;
  pages: number;
  originalSha256: string;
  fields: FieldTree;
  ocrText: string;
  reviewStatus: ReviewStatus;
}

/** Streams every document in archive order, `batch` rows per round trip (a server-side cursor). */
export async function exportDocuments(sql: Sql, write: (line: ExportLine) => void | Promise<void>, batch = 500): Promise<number> {
  let count = 0;
  const cursor = sql`
    select id, source_file, kind, language, pages, original_sha256, fields, ocr_text, review_status
    from archive_documents order by created_at, id`.cursor(batch);
  for await (const rows of cursor) {
    for (const r of rows) {
      await write({
        id: r.id as string,
        sourceFile: r.source_file as string,
        kind: r.kind as string | null,
        language: r.language as string | null,
        pages: r.pages as number,
        originalSha256: r.original_sha256 as string,
        fields: r.fields as FieldTree,
        ocrText: r.ocr_text as string,
        reviewStatus: r.review_status as ReviewStatus,
      });
      count++;
    }
  }
  return count;
}
