/**
 * @module
 * An archived document checked against its ledger entry before it is shown or reviewed: the row in
 * `archive_documents` is a working copy (searchable, indexable) of what the newest ledger version
 * commits to, and the OCR text it holds must still hash to the committed SHA-256 (DESIGN.md,
 * "Archival scans"). A row edited behind the application's back (a field, the OCR text, the
 * document's kind) is refused as an `integrity-failure`, never printed under a committed hash it no
 * longer matches; among search hits, it is marked and its fields withheld (search.ts).
 */
import { RegistryError } from '../../services/errors.ts';
import { canonicalise } from '../../services/ledger/core.ts';
import { historyFaults } from '../../services/ledger/history-check.ts';
import { recordHistories, recordHistory, type Db, type RecordVersion } from '../../services/ledger/record-versions.ts';
import type { ArchiveDocument } from './catalogue.ts';
import { COPIED_COLUMNS, type ArchiveEntryData } from './entry.ts';
import { sha256Hex } from './keys.ts';

const COPIED = COPIED_COLUMNS.map(([, key]) => key);

/** The columns of `archive_documents` that copy the committed entry (by the entry's own names), and the OCR text. */
export type DocumentCopy = Pick<ArchiveDocument, 'id' | 'version' | 'commitment' | 'ocrText' | (typeof COPIED_COLUMNS)[number][1]>;

/** What differs between `document` and its ledger history, in words; empty when they agree. */
export async function documentFaults(db: Db, document: DocumentCopy): Promise<string[]> {
  return faultsAgainst(await recordHistory(db, document.id), document);
}

/** {@link documentFaults} of each of `documents` (a page of search hits), with one query for all their histories. */
export async function documentsFaults(db: Db, documents: readonly DocumentCopy[]): Promise<Map<string, string[]>> {
  const histories = await recordHistories(db, documents.map((d) => d.id));
  return new Map(documents.map((d) => [d.id, faultsAgainst(histories.get(d.id) ?? [], d)]));
}

function faultsAgainst(history: readonly RecordVersion[], document: DocumentCopy): string[] {
  const faults = historyFaults(history, document.version);
  const newest = history.at(-1);
  if (!newest) return faults;
  if (newest.commitment !== document.commitment.toLowerCase()) faults.push(`the document names commitment ${document.commitment}, the ledger ${newest.commitment}`);
  const committed = newest.content.data as ArchiveEntryData;
  for (const name of COPIED) {
    if (canonicalise(committed[name] ?? null) !== canonicalise(document[name] ?? null)) faults.push(`${name} differs from the ledger's version ${newest.version}`);
  }
  if (sha256Hex(new TextEncoder().encode(document.ocrText)) !== document.ocrTextSha256) faults.push('the OCR text no longer matches its SHA-256');
  return faults;
}

export async function assertDocumentMatchesLedger(db: Db, document: DocumentCopy): Promise<void> {
  const faults = await documentFaults(db, document);
  if (faults.length === 0) return;
  throw new RegistryError('integrity-failure', `archived document ${document.id} does not match its ledger entry: ${faults.join('; ')}`, {
    details: { documentId: document.id, faults },
  });
}
