/**
 * @module
 * Reading the archive: one document with its history, the review queue, and the export stream
 * (`crvs archive export --json`, one JSON line per document, the format corpus-dev/score.mjs reads).
 */
import type { Sql } from '../../services/database/client.ts';
import { RegistryError } from '../../services/errors.ts';
import { toHex } from '../../services/ledger/core.ts';
import { anchoringStatuses, recordHistory, type AnchoringStatus, type Db } from '../../services/ledger/record-versions.ts';
import type { FieldTree } from './fields.ts';
import type { ReviewStatus } from './entry.ts';
import type { StoredObject } from './keys.ts';
import { assertDocumentMatchesLedger, documentsFaults } from './ledger-check.ts';

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

/** Whether a row still matches its ledger entry (ledger-check.ts), as lists of documents say it. */
export interface LedgerAgreement {
  ledger: 'matches' | 'differs';
  /** What differs, when it does. */
  faults?: string[];
}

/**
 * Each of `documents` with what its ledger says of it, checked with one query for all of them: a
 * row edited behind the application's back stays listed (a list is not the place to hide it) but
 * is marked, and its content is not shown under a commitment it no longer matches.
 */
export async function withLedgerAgreement(db: Db, documents: readonly ArchiveDocument[]): Promise<(ArchiveDocument & LedgerAgreement)[]> {
  const faults = await documentsFaults(db, documents);
  return documents.map((d) => {
    const differs = faults.get(d.id)!;
    return differs.length ? { ...d, ledger: 'differs', faults: differs } : { ...d, ledger: 'matches' };
  });
}

export interface ReviewItem extends LedgerAgreement {
  id: string;
  sourceFile: string;
  kind: string | null;
  language: string | null;
  /** The fields to look at; their values withheld (null) when the row differs from its ledger entry. */
  pendingReview: { field: string; value: string | null; confidence: number }[];
  createdAt: Date;
}

/** Documents waiting for an archivist, oldest first, with the fields to look at. */
export async function reviewQueue(sql: Sql, options: { limit?: number; after?: Date } = {}): Promise<ReviewItem[]> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const rows = await sql`
    select * from archive_documents
    where review_status = 'needs-review' ${options.after ? sql`and created_at > ${options.after}` : sql``}
    order by created_at, id limit ${limit}`;
  return (await withLedgerAgreement(sql, rows.map(toDocument))).map((d) => ({
    id: d.id,
    sourceFile: d.sourceFile,
    kind: d.kind,
    language: d.language,
    pendingReview: d.pendingReview.map((field) => {
      const leaf = field.split('.').reduce<unknown>((node, name) => (node as FieldTree | undefined)?.[name], d.fields) as
        | { value: string | null; confidence: number }
        | undefined;
      return { field, value: d.ledger === 'matches' ? (leaf?.value ?? null) : null, confidence: leaf?.confidence ?? 0 };
    }),
    ledger: d.ledger,
    ...(d.faults ? { faults: d.faults } : {}),
    createdAt: d.createdAt,
  }));
}

/** One export line: what corpus-dev/score.mjs and downstream systems read. */
export interface ExportLine extends LedgerAgreement {
  id: string;
  sourceFile: string;
  kind: string | null;
  language: string | null;
  pages: number;
  originalSha256: string;
  /** Withheld (null), as the OCR text, when the row differs from its ledger entry. */
  fields: FieldTree | null;
  ocrText: string | null;
  reviewStatus: ReviewStatus;
}

/**
 * Streams every document in archive order, `batch` rows per round trip, each batch checked against
 * the ledger with one more. Batches are pages by key rather than a cursor, so that no connection
 * is held between them (the embedded database has one).
 */
export async function exportDocuments(sql: Sql, write: (line: ExportLine) => void | Promise<void>, batch = 500): Promise<number> {
  let count = 0;
  // The position as text, and sent as text: a JavaScript Date keeps milliseconds, the column
  // microseconds (postgres.js would send a parameter it sees as timestamptz through a Date).
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const rows = await sql`
      select *, created_at::text as position from archive_documents
      ${after ? sql`where (created_at, id) > (${after.createdAt}::text::timestamptz, ${after.id})` : sql``}
      order by created_at, id limit ${batch}`;
    if (rows.length === 0) return count;
    for (const d of await withLedgerAgreement(sql, rows.map(toDocument))) {
      const matches = d.ledger === 'matches';
      await write({
        id: d.id,
        sourceFile: d.sourceFile,
        kind: d.kind,
        language: d.language,
        pages: d.pages,
        originalSha256: d.originalSha256,
        fields: matches ? d.fields : null,
        ocrText: matches ? d.ocrText : null,
        reviewStatus: d.reviewStatus,
        ledger: d.ledger,
        ...(d.faults ? { faults: d.faults } : {}),
      });
      count++;
    }
    const last = rows.at(-1)!;
    after = { createdAt: last.position as string, id: last.id as string };
  }
}
