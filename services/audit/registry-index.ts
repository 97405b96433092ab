/**
 * @module
 * The registry index checked against what its records committed (record-index.ts checks that the
 * index has the right rows and versions; this, that each row says what its version says). Nothing
 * here is committed, so a DBA can rewrite it without touching a leaf, and what the API does rests
 * on it: `registry_records` gives the registration number, office and kind a record is found and
 * scoped by, compared here in the database for every record; its people and birth keys are
 * compared by people-index.ts, during the audit's pass over the ledger when it is asked for
 * (`crvs audit --people`), and always by `crvs verify record`. One finding per record, naming
 * everything that differs.
 */
import type { PendingQuery, Row } from 'postgres';
import type { TransactionSql } from '../database/client.ts';
import type { Finding } from './findings.ts';
import { peopleIndexFindings, type IndexDifference } from './people-index.ts';

/** Which records are checked: the current version is the newest (else record-index.ts reports it) and not one found changed. */
export interface RegistryIndexScope {
  recordId?: string;
  changedVersions: readonly string[];
  /** How the people and birth keys of each record differ (people-index.ts); absent: not checked. */
  people?: ReadonlyMap<string, IndexDifference>;
}

export async function checkRegistryIndex(tx: TransactionSql, scope: RegistryIndexScope): Promise<Finding[]> {
  const differs = new Map<string, { registrationNumber: string; what: string[] }>();
  const note = (id: string, registrationNumber: string, what: string[]) => {
    const entry = differs.get(id) ?? { registrationNumber, what: [] };
    entry.what.push(...what);
    differs.set(id, entry);
  };
  for (const r of await registrationsDiffering(tx, scope)) note(r.record_id, r.committed_number ?? r.registration_number, r.fields);
  if (scope.people) for (const [id, d] of await peopleIndexFindings(tx, scope.people)) note(id, d.registrationNumber, d.what);
  // In registration number order, whichever check noticed a record first.
  const ordered = [...differs].sort(([a, x], [b, y]) => (x.registrationNumber === y.registrationNumber ? (a < b ? -1 : 1) : x.registrationNumber < y.registrationNumber ? -1 : 1));
  return ordered.map(([id, d]) => ({
    kind: 'registry-index-changed',
    message: `record ${id} (registration ${d.registrationNumber}): the registry index differs from its committed version in ${d.what.join('; ')}`,
    recordId: id,
    registrationNumber: d.registrationNumber,
    expected: 'what the current version committed',
    actual: d.what.join('; '),
  }));
}

/** The index rows in scope, each with its current version's registration as `g`. */
function current(tx: TransactionSql, scope: RegistryIndexScope, select: PendingQuery<Row[]>) {
  return tx`
    select ${select}
    from registry_records r
    join record_versions v on v.record_id = r.record_id and v.version = r.current_version
    cross join lateral (select v.content -> 'data' -> 'registration' as g) c
    where not exists (select 1 from record_versions n where n.record_id = r.record_id and n.version > r.current_version)
      ${scope.recordId ? tx`and r.record_id = ${scope.recordId}::uuid` : tx``}
      ${scope.changedVersions.length ? tx`and v.id <> all(${tx.array(scope.changedVersions as string[])}::bigint[])` : tx``}`;
}

/** Registration number, office and kind, as the registration committed them. */
async function registrationsDiffering(tx: TransactionSql, scope: RegistryIndexScope) {
  return tx<{ record_id: string; registration_number: string; committed_number: string | null; fields: string[] }[]>`
    select * from (
      ${current(
        tx,
        scope,
        tx`r.record_id, r.registration_number, c.g ->> 'number' as committed_number, array_remove(array[
          case when r.kind is distinct from v.kind then 'kind' end,
          case when r.registration_number is distinct from c.g ->> 'number' then 'registration number' end,
          case when r.office_code is distinct from c.g ->> 'office' then 'office' end], null) as fields, r.seq`,
      )}
    ) x where cardinality(fields) > 0 order by seq`;
}
