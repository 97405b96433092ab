/**
 * @module
 * A registry record as `GET /v1/records/:id` shows it: the current version's committed content,
 * every version with its commitment and anchoring status, and the office.
 */
import type { Db, AnchoringStatus, RecordVersion } from '../../ledger/record-versions.ts';
import { anchoringStatuses, recordHistory } from '../../ledger/record-versions.ts';
import { RegistryError } from '../../errors.ts';
import { assertHistoryIntact } from '../../ledger/history-check.ts';
import type { Office } from '../offices.ts';
import { unitByCode } from '../places/places.ts';
import type { RegistrationContent } from '../registrations.ts';
import type { RegistryRecord } from './store.ts';

export type AnchoringView =
  | { status: 'pending' }
  | { status: 'sealed'; batchId: number }
  | { status: 'anchored'; batchId: number; chainId: string; contractAddress: string; transactionHash: string; blockNumber: number; anchoredAt: string };

export function anchoringView(s: AnchoringStatus | undefined): AnchoringView {
  if (!s || s.status === 'pending') return { status: 'pending' };
  if (s.status === 'sealed') return { status: 'sealed', batchId: s.batchId };
  return { ...s, anchoredAt: s.anchoredAt.toISOString() };
}

export interface RecordDocument {
  record: RegistryRecord;
  history: RecordVersion[];
  anchoring: Map<bigint, AnchoringStatus>;
}

/**
 * The record's versions and their anchoring; the current one is the record's `currentVersion`,
 * which must be the ledger's newest. A history that no longer matches its ledger entries is
 * refused (history-check.ts), never shown as the record.
 */
export async function loadDocument(db: Db, record: RegistryRecord): Promise<RecordDocument> {
  const history = await recordHistory(db, record.recordId);
  if (history.length === 0) throw new RegistryError('integrity-failure', `record ${record.recordId} is indexed but has no ledger versions`);
  assertHistoryIntact(record.recordId, history, record.currentVersion);
  const anchoring = await anchoringStatuses(
    db,
    history.map((v) => v.id),
  );
  return { record, history, anchoring };
}

export function recordView(doc: RecordDocument, office: Office | undefined) {
  const { record, history, anchoring } = doc;
  const current = history.at(-1)!; // the record's current version (loadDocument checked)
  return {
    id: record.recordId,
    kind: record.kind,
    registrationNumber: record.registrationNumber,
    office: { code: record.office, name: office?.name ?? record.office, region: office?.region ?? '', regionName: (office && unitByCode(office.region)?.name) ?? '' },
    registeredAt: record.registeredAt.toISOString(),
    correctedAt: record.correctedAt?.toISOString() ?? null,
    version: current.version,
    commitment: current.commitment,
    anchoring: anchoringView(anchoring.get(current.id)),
    data: current.content.data,
    history: history.map((v) => ({
      version: v.version,
      commitment: v.commitment,
      previousCommitment: v.previousCommitment,
      createdAt: v.createdAt.toISOString(),
      correction: (v.content.data as unknown as RegistrationContent).correction ?? null,
      anchoring: anchoringView(anchoring.get(v.id)),
    })),
  };
}
