/**
 * @module
 * An archivist confirms or fixes one extracted field. Every review is a new ledger version of the
 * archive entry naming the commitment of the one before (DESIGN.md, "Versions"); the OCR text and
 * the stored objects stay exactly as read, so the committed SHA-256s never change.
 */
import { z } from 'zod';
import type { Sql } from '../../services/database/client.ts';
import { RegistryError } from '../../services/errors.ts';
import { fromHex, toHex, type Hex } from '../../services/ledger/core.ts';
import { appendRecordVersion } from '../../services/ledger/record-versions.ts';
import { fieldsFromText } from '../ingest/read-document.ts';
import { ARCHIVE_ENTRY_KIND, KIND_FIELD, rekindedEntryData, reviewedEntryData, searchTextOf, type ArchiveEntryData, type ReviewNote } from './entry.ts';
import { confidenceAtMost, fieldAt, withField, type FieldValue } from './fields.ts';
import { getDocument, type ArchiveDocument } from './catalogue.ts';

const isoDate = z.iso.date();
const DocumentKind = z.enum(['birth', 'marriage']);

export const ReviewRequest = z.strictObject({
  /** A field path such as `child.givenName`, or `kind` to name the kind of an unrecognised document. */
  field: z.string().regex(/^[A-Za-z]+(\.[A-Za-z]+)*$/, 'must be a field path such as child.givenName'),
  action: z.enum(['confirm', 'fix']),
  /** The corrected value (fix only). Dates as ISO YYYY-MM-DD. */
  value: z.string().trim().min(1).max(500).optional(),
  /** The version the archivist looked at; a review of an older one is refused (409). */
  version: z.number().int().positive().optional(),
});
export type ReviewRequest = z.infer<typeof ReviewRequest>;

export interface Reviewer {
  role: string;
  office: string | null;
  /** Who, for the archive's own records (token id); not committed to the ledger. */
  subject: string | null;
}

const isDateField = (path: string) => /(^|\.)(date\w*|\w*Date)$/.test(path);

/** What one review changes: the values recorded in archive_reviews, and the next version's data. */
interface Change {
  previousValue: string | null;
  value: string | null;
  next(prior: ArchiveEntryData, note: ReviewNote): ArchiveEntryData;
}

export async function reviewField(sql: Sql, documentId: string, request: ReviewRequest, reviewer: Reviewer): Promise<ArchiveDocument> {
  const current = await getDocument(sql, documentId);
  const change = request.field === KIND_FIELD ? kindChange(current, request) : fieldChange(current, request);

  await sql.begin(async (tx) => {
    // One review at a time per document; the ledger's (record_id, version) key backs this up.
    const [locked] = await tx<{ version: number; commitment: Buffer }[]>`
      select version, commitment from archive_documents where id = ${documentId} for update`;
    if (!locked || locked.version !== current.version || (request.version !== undefined && request.version !== locked.version)) {
      throw new RegistryError('conflict', `the document is at version ${locked?.version ?? '?'}, not ${request.version ?? current.version}: reload it and review again`, {
        details: { version: locked?.version },
      });
    }
    const [prior] = await tx<{ content: { data: ArchiveEntryData } }[]>`
      select content from record_versions where record_id = ${documentId} and version = ${locked.version}`;
    const data = change.next(prior!.content.data, { field: request.field, action: request.action, reviewer: { role: reviewer.role, office: reviewer.office } });
    const version = await appendRecordVersion(tx, {
      recordId: documentId,
      kind: ARCHIVE_ENTRY_KIND,
      data,
      previous: { version: locked.version, commitment: toHex(locked.commitment) as Hex },
    });
    await tx`
      update archive_documents set kind = ${data.kind}, fields = ${tx.json(data.fields as never)}, pending_review = ${tx.array(data.pendingReview)},
        review_status = ${data.reviewStatus}, version = ${version.version}, commitment = ${fromHex(version.commitment)},
        search_text = ${searchTextOf(data.fields, current.ocrText)}, updated_at = now()
      where id = ${documentId}`;
    await tx`
      insert into archive_reviews (document_id, field, action, previous_value, value, reviewer_role, reviewer_office, reviewer_subject, version, commitment)
      values (${documentId}, ${request.field}, ${request.action}, ${tx.json(change.previousValue as never)}, ${tx.json(change.value as never)},
        ${reviewer.role}, ${reviewer.office}, ${reviewer.subject}, ${version.version}, ${fromHex(version.commitment)})`;
  });
  return getDocument(sql, documentId);
}

function fieldChange(current: ArchiveDocument, request: ReviewRequest): Change {
  const previous = fieldAt(current.fields, request.field);
  if (!previous) throw new RegistryError('validation-failed', `field: the document has no field ${request.field}`, { field: 'field' });
  const value = reviewedValue(request, previous);
  return {
    previousValue: previous.value,
    value: value.value,
    next: (prior, note) => reviewedEntryData(prior, withField(prior.fields, request.field, value), note),
  };
}

/** Naming the kind of a document whose kind could not be told reads its fields again for that kind. */
function kindChange(current: ArchiveDocument, request: ReviewRequest): Change {
  if (request.action === 'confirm') {
    if (current.kind === null) throw new RegistryError('validation-failed', 'value: no kind was read; send action "fix" with birth or marriage', { field: 'value' });
    return { previousValue: current.kind, value: current.kind, next: (prior, note) => reviewedEntryData(prior, prior.fields, note) };
  }
  const kind = DocumentKind.safeParse(request.value);
  if (!kind.success) throw new RegistryError('validation-failed', 'value: the kind is birth or marriage', { field: 'value' });
  // Read from the plain text, which has no word confidences: each field is as sure as the page's
  // reading was on the whole, and no surer (it still waits for review, like every re-read field).
  const fields = confidenceAtMost(fieldsFromText(current.ocrText, current.language, kind.data), current.ocrConfidence ?? 0);
  return { previousValue: current.kind, value: kind.data, next: (prior, note) => rekindedEntryData(prior, kind.data, fields, note) };
}

function reviewedValue(request: ReviewRequest, previous: FieldValue): FieldValue {
  if (request.action === 'confirm') {
    if (request.value !== undefined) throw new RegistryError('validation-failed', 'value: a confirmation keeps the value as read; send action "fix" to change it', { field: 'value' });
    return { value: previous.value, confidence: 1, reviewed: true };
  }
  if (request.value === undefined) throw new RegistryError('validation-failed', 'value: a fix needs the corrected value', { field: 'value' });
  if (isDateField(request.field) && !isoDate.safeParse(request.value).success) {
    throw new RegistryError('validation-failed', `value: ${request.field} is a date: write it as YYYY-MM-DD`, { field: 'value' });
  }
  return { value: request.value.normalize('NFC'), confidence: 1, reviewed: true };
}
