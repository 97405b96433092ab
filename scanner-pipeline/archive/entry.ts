/**
 * @module
 * The archive entry of a scanned document: what the ledger commits for it (kind `archive-entry`)
 * and the search form kept beside it. Pure functions; storage is in `documents.ts`.
 *
 * The committed data names every stored object with the SHA-256 of its bytes (the agreed contract
 * with `crvs audit`, which re-hashes them generically: fixity), and the SHA-256 of the original
 * and of the OCR text (DESIGN.md, "Archival scans"), so a swapped image or an edited transcription
 * no longer matches its anchored leaf.
 */
import type { StoredObject } from './keys.ts';
import { fieldsBelow, flattenFields, type FieldTree } from './fields.ts';
import { searchKey } from '../../services/names/search-key.ts';

export const ARCHIVE_ENTRY_KIND = 'archive-entry';

/**
 * Fields read with less confidence go to an archivist. Measured on corpus-dev (12 scans, 212
 * fields): 0.7 flags 30 fields and catches 9 of the 11 wrong ones; 0.8 flags 32 and catches the
 * same 9; 0.5 flags 19 but lets 3 wrong ones through.
 */
export const DEFAULT_REVIEW_THRESHOLD = 0.7;

export type ReviewStatus = 'not-needed' | 'needs-review' | 'reviewed';

export interface ReviewNote {
  field: string;
  action: 'confirm' | 'fix';
  reviewer: { role: string; office: string | null };
}

export interface ArchiveEntryData {
  sourceFile: string;
  kind: string | null;
  language: string | null;
  pages: number;
  originalSha256: string;
  ocrTextSha256: string;
  objects: StoredObject[];
  fields: FieldTree;
  reviewStatus: ReviewStatus;
  /** Fields still waiting for an archivist; `kind` when the kind of document could not be told. */
  pendingReview: string[];
  /** What the archivist did in this version (absent in the version the pipeline wrote). */
  review?: ReviewNote;
  [key: string]: unknown;
}

export interface NewEntry {
  sourceFile: string;
  kind: string | null;
  language: string | null;
  pages: number;
  originalSha256: string;
  ocrTextSha256: string;
  objects: StoredObject[];
  fields: FieldTree;
  reviewThreshold: number;
}

/**
 * The columns of `archive_documents` that copy the committed entry, each with its key in the
 * entry: one list for whoever checks the copy against the ledger (serving it:
 * ledger-check.ts; auditing all of them at once: services/audit/record-index.ts).
 */
export const COPIED_COLUMNS = [
  ['source_file', 'sourceFile'],
  ['kind', 'kind'],
  ['language', 'language'],
  ['pages', 'pages'],
  ['original_sha256', 'originalSha256'],
  ['ocr_text_sha256', 'ocrTextSha256'],
  ['fields', 'fields'],
  ['pending_review', 'pendingReview'],
  ['review_status', 'reviewStatus'],
  ['objects', 'objects'],
] as const satisfies readonly (readonly [column: string, key: keyof ArchiveEntryData])[];

/** The field path under which an unknown document kind waits for review. */
export const KIND_FIELD = 'kind';

export function newEntryData(entry: NewEntry): ArchiveEntryData {
  // A document whose kind nobody could tell has no fields yet: an archivist names the kind first.
  const pendingReview = [...(entry.kind === null ? [KIND_FIELD] : []), ...fieldsBelow(entry.fields, entry.reviewThreshold)];
  const { reviewThreshold: _, ...rest } = entry;
  return { ...rest, reviewStatus: pendingReview.length ? 'needs-review' : 'not-needed', pendingReview };
}

/** A later version after an archivist confirmed or fixed one field. */
export function reviewedEntryData(previous: ArchiveEntryData, fields: FieldTree, note: ReviewNote): ArchiveEntryData {
  const pendingReview = previous.pendingReview.filter((path) => path !== note.field);
  return { ...previous, fields, pendingReview, reviewStatus: pendingReview.length ? 'needs-review' : 'reviewed', review: note };
}

/**
 * A later version after an archivist named the document's kind: its fields are read again from
 * the OCR text for that kind, and every one of them waits for review (none was checked yet).
 */
export function rekindedEntryData(previous: ArchiveEntryData, kind: string, fields: FieldTree, note: ReviewNote): ArchiveEntryData {
  const pendingReview = [...flattenFields(fields).keys()];
  return { ...previous, kind, fields, pendingReview, reviewStatus: pendingReview.length ? 'needs-review' : 'reviewed', review: note };
}

/**
 * The text a document is found by: every field value (dates also as `DD.MM.YYYY`, the way the
 * pages print them), then the OCR text, all folded by {@link searchKey}.
 */
export function searchTextOf(fields: FieldTree, ocrText: string): string {
  const values: string[] = [];
  for (const { value } of flattenFields(fields).values()) {
    if (!value) continue;
    values.push(value);
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (iso) values.push(`${iso[3]}.${iso[2]}.${iso[1]}`);
  }
  return searchKey(`${values.join(' | ')} | ${ocrText}`);
}
