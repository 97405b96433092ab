/**
 * @module
 * The indexes the application reads records through, checked against the ledger: the registry's
 * `registry_records` (which version is current, under which registration number) and the
 * archive's `archive_documents` (fields, OCR text and hashes shown to archivists). Neither is
 * committed, so a DBA can rewrite them without touching a leaf; the ledger and the audit trail
 * say what they must hold. Each check is one set-based statement (the audit is benchmarked on
 * millions of versions); `recordId` narrows it to one record for `crvs verify record`.
 */
import type { TransactionSql } from '../database/client.ts';
import type { Finding } from './findings.ts';
import { checkRegistryIndex } from './registry-index.ts';
import type { IndexDifference } from './people-index.ts';
import { COPIED_COLUMNS } from '../../scanner-pipeline/archive/entry.ts';

/** Registry record kinds (registry_records.kind): the ledger records that must have an index row. */
const REGISTRATION_KINDS = ['birth', 'marriage'];

/**
 * Every check below, in one list: the audit runs them all, `verify record` too (for one record).
 * `changedVersions` are versions whose content the audit found changed: an index row derived from
 * what they committed cannot be judged by what they hold now (their own finding says enough).
 * `people` is how the registry's people index differs (people-index.ts: worked out during the
 * audit's pass when asked for, or for verify's one record); absent, it was not checked.
 */
export async function checkRecordIndexes(
  tx: TransactionSql,
  recordId: string | undefined,
  options: { changedVersions?: readonly string[]; people?: ReadonlyMap<string, IndexDifference> },
): Promise<Finding[]> {
  return [
    ...(await checkCurrentVersions(tx, recordId)),
    ...(await checkRegistrationsIndexed(tx, recordId)),
    ...(await checkRegistryIndex(tx, { recordId, changedVersions: options.changedVersions ?? [], ...(options.people && { people: options.people }) })),
    ...(await checkAuditTrailRecords(tx, recordId)),
    ...(await checkArchiveDocuments(tx, recordId)),
  ];
}

const only = (tx: TransactionSql, column: string, recordId: string | undefined) => (recordId ? tx`and ${tx(column)} = ${recordId}::uuid` : tx``);

/**
 * registry_records.current_version is what the API shows; it must be the newest ledger version.
 * An older one silently undoes a correction; a newer one points at versions that are gone.
 */
async function checkCurrentVersions(tx: TransactionSql, recordId?: string): Promise<Finding[]> {
  const rows = await tx<{ record_id: string; registration_number: string; current_version: number; newest: number | null }[]>`
    with ledger as (
      select record_id, max(version) as newest from record_versions where true ${only(tx, 'record_id', recordId)} group by record_id
    )
    select r.record_id, r.registration_number, r.current_version, l.newest
    from registry_records r left join ledger l using (record_id)
    where l.newest is distinct from r.current_version ${only(tx, 'r.record_id', recordId)}
    order by r.seq`;
  return rows.map((r) => currentVersionFinding('registry index', r.record_id, r.registration_number, r.current_version, r.newest));
}

function currentVersionFinding(index: string, recordId: string, registrationNumber: string | undefined, current: number, newest: number | null): Finding {
  const record = `record ${recordId}${registrationNumber ? ` (registration ${registrationNumber})` : ''}`;
  const ids = { recordId, ...(registrationNumber && { registrationNumber }) };
  if (newest === null) {
    return { kind: 'ledger-record-missing', message: `${record} is in the ${index}, but none of its versions is in the ledger`, ...ids, expected: `versions 1..${current}`, actual: '(none)' };
  }
  return {
    kind: 'current-version-mismatch',
    message:
      newest > current
        ? `${record}: the ${index} shows version ${current} as current, but the ledger's newest version is ${newest} (a correction undone)`
        : `${record}: the ${index} shows version ${current} as current, but the ledger's newest version is ${newest} (versions removed)`,
    ...ids,
    expected: `version ${newest}`,
    actual: `version ${current}`,
  };
}

/** A registration's ledger record without its registry_records row has vanished from the API. */
async function checkRegistrationsIndexed(tx: TransactionSql, recordId?: string): Promise<Finding[]> {
  const rows = await tx<{ record_id: string; number: string | null }[]>`
    select v.record_id, v.content -> 'data' -> 'registration' ->> 'number' as number
    from record_versions v
    where v.version = 1 and v.kind = any(${tx.array(REGISTRATION_KINDS)}::text[]) and v.content -> 'data' ? 'registration'
      ${only(tx, 'v.record_id', recordId)}
      and not exists (select 1 from registry_records r where r.record_id = v.record_id)
    order by v.id`;
  return rows.map((r) => ({
    kind: 'index-record-missing',
    message: `record ${r.record_id}${r.number ? ` (registration ${r.number})` : ''} is a registration in the ledger, but the registry index has no row for it`,
    recordId: r.record_id,
    ...(r.number && { registrationNumber: r.number }),
  }));
}

/**
 * The audit trail is append-only and records every successful write with its record: a record
 * written there and found neither in the ledger nor in the registry index was removed entirely.
 * (A record still in the index is reported by {@link checkCurrentVersions}.)
 */
async function checkAuditTrailRecords(tx: TransactionSql, recordId?: string): Promise<Finding[]> {
  const rows = await tx<{ record_id: string; writes: bigint; last: Date }[]>`
    select t.record_id, count(*) as writes, max(t.occurred_at) as last
    from audit_trail t
    where t.record_id is not null and t.status between 200 and 299 ${only(tx, 't.record_id', recordId)}
      and not exists (select 1 from record_versions v where v.record_id = t.record_id)
      and not exists (select 1 from registry_records r where r.record_id = t.record_id)
    group by t.record_id
    order by min(t.id)`;
  return rows.map((r) => ({
    kind: 'ledger-record-missing',
    message: `record ${r.record_id} was written ${r.writes} time${r.writes === 1n ? '' : 's'} according to the audit trail (last ${r.last.toISOString()}), but neither the ledger nor the registry index holds it`,
    recordId: r.record_id,
  }));
}

/** Columns of archive_documents and the key of the committed `data` they copy. */

// Constant text (no input in it): one CASE per column, naming the column when it differs.
const ARCHIVE_DIFFERS = COPIED_COLUMNS.map(
  ([column, key]) => `case when coalesce(to_jsonb(d.${column}), 'null') is distinct from coalesce(v.content -> 'data' -> '${key}', 'null') then '${column}' end`,
).join(',\n');

/**
 * An archive document must show what its newest ledger version committed (DESIGN.md, "Archival
 * scans"): the same version and commitment, every copied column equal to the committed value
 * (compared as jsonb, so key order and number formatting do not matter), and the stored OCR text
 * must still have the committed SHA-256, hashed in the database so that the text never travels.
 */
async function checkArchiveDocuments(tx: TransactionSql, recordId?: string): Promise<Finding[]> {
  const rows = await tx<{ id: string; version: number; newest: number | null; differs: string[] }[]>`
    select d.id, d.version,
           (select max(n.version) from record_versions n where n.record_id = d.id) as newest,
           array_remove(array[
             case when v.commitment is distinct from d.commitment then 'commitment' end,
             case when encode(sha256(convert_to(d.ocr_text, 'UTF8')), 'hex') is distinct from v.content -> 'data' ->> 'ocrTextSha256' then 'ocr_text' end,
             ${tx.unsafe(ARCHIVE_DIFFERS)}
           ], null) as differs
    from archive_documents d
    left join record_versions v on v.record_id = d.id and v.version = d.version
    where true ${only(tx, 'd.id', recordId)}
    order by d.created_at, d.id`;
  const findings: Finding[] = [];
  for (const r of rows) {
    if (r.newest !== r.version) findings.push(currentVersionFinding('archive', r.id, undefined, r.version, r.newest));
    else if (r.differs.length) {
      findings.push({
        kind: 'archive-index-changed',
        message: `archive document ${r.id} (version ${r.version}) differs from its committed archive entry in ${r.differs.join(', ')}`,
        recordId: r.id,
        expected: 'the committed archive entry',
        actual: r.differs.join(', '),
      });
    }
  }
  findings.push(...(await checkArchiveEntriesIndexed(tx, recordId)));
  return findings;
}

/** An archive entry in the ledger whose document row is gone can no longer be searched or shown. */
async function checkArchiveEntriesIndexed(tx: TransactionSql, recordId?: string): Promise<Finding[]> {
  const rows = await tx<{ record_id: string; source_file: string | null }[]>`
    select v.record_id, v.content -> 'data' ->> 'sourceFile' as source_file
    from record_versions v
    where v.version = 1 and v.kind = 'archive-entry' ${only(tx, 'v.record_id', recordId)}
      and not exists (select 1 from archive_documents d where d.id = v.record_id)
    order by v.id`;
  return rows.map((r) => ({
    kind: 'index-record-missing',
    message: `archive entry ${r.record_id}${r.source_file ? ` (${r.source_file})` : ''} is in the ledger, but the archive has no document row for it`,
    recordId: r.record_id,
  }));
}

/** Registration numbers of the given records, from the registry index or else their committed content. */
export async function registrationNumbers(tx: TransactionSql, recordIds: string[]): Promise<Map<string, string>> {
  if (!recordIds.length) return new Map();
  const rows = await tx<{ record_id: string; number: string | null }[]>`
    select x.id as record_id, coalesce(
      (select r.registration_number from registry_records r where r.record_id = x.id),
      (select v.content -> 'data' -> 'registration' ->> 'number' from record_versions v where v.record_id = x.id order by v.version desc limit 1)
    ) as number
    from unnest(${tx.array(recordIds)}::uuid[]) as x (id)`;
  return new Map(rows.flatMap((r) => (r.number ? [[r.record_id, r.number] as const] : [])));
}
