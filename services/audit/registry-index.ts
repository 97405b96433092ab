/**
 * @module
 * The registry index checked against what its records committed (record-index.ts checks that the
 * index has the right rows and versions; this, that each row says what its version says). Nothing
 * here is committed, so a DBA can rewrite it without touching a leaf, and what the API does rests
 * on it: `registry_records` gives the registration number, office and kind a record is found and
 * scoped by, and the birth identity that keeps a birth from being registered twice;
 * `registry_people` gives the names search finds, and the identity names, dates of birth and PINFLs
 * the marriage rules compare. A changed search name hides a child from search; a changed identity
 * name or PINFL lets a second marriage of one person through.
 *
 * Names are recomputed from the current version's committed details by the registry's own
 * derivation (registry/records/people.ts), the one that wrote them, so the keys compare exactly;
 * everything else is compared in the database. Only rows that differ travel, except the people's
 * names, one row per person: that pass is as long as the rest of an audit (the audit is
 * benchmarked on millions of versions), so it runs when asked for, as fixity does.
 */
import type { PendingQuery, Row } from 'postgres';
import type { TransactionSql } from '../database/client.ts';
import { birthIdentity, identityName, personName, searchName, type PersonRole } from '../registry/records/people.ts';
import type { Finding } from './findings.ts';

/** Which records are checked: the current version is the newest (else record-index.ts reports it) and not one found changed. */
export interface RegistryIndexScope {
  recordId?: string;
  changedVersions: readonly string[];
  /**
   * Also the people and birth identities: a pass over every indexed person with its committed
   * details, which costs about as much again as the rest of an audit (`crvs audit --people`).
   */
  people: boolean;
}
export async function checkRegistryIndex(tx: TransactionSql, scope: RegistryIndexScope): Promise<Finding[]> {
  const differs = new Map<string, { registrationNumber: string; what: string[] }>();
  const note = (id: string, registrationNumber: string, what: string) => {
    const entry = differs.get(id) ?? { registrationNumber, what: [] };
    entry.what.push(what);
    differs.set(id, entry);
  };
  for (const r of await registrationsDiffering(tx, scope)) {
    for (const field of r.fields) note(r.record_id, r.committed_number ?? r.registration_number, field);
  }
  if (scope.people) {
    for (const r of await rolesDiffering(tx, scope)) {
      for (const role of r.missing) note(r.record_id, r.registration_number, `${role} (missing)`);
      for (const role of r.extra) note(r.record_id, r.registration_number, `${role} (not in the record)`);
    }
    for (const d of await peopleDiffering(tx, scope)) note(d.recordId, d.registrationNumber, d.what);
  }
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

/** The index rows in scope, each with its current version's details as `d` and registration as `g`. */
function current(tx: TransactionSql, scope: RegistryIndexScope, select: PendingQuery<Row[]>, rest: PendingQuery<Row[]> = tx``) {
  return tx`
    select ${select}
    from registry_records r
    join record_versions v on v.record_id = r.record_id and v.version = r.current_version
    cross join lateral (select v.content -> 'data' -> 'details' as d, v.content -> 'data' -> 'registration' as g) c
    ${rest}
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

/** The roles indexed for each record against the persons its details name (births: child, mother, father if any). */
async function rolesDiffering(tx: TransactionSql, scope: RegistryIndexScope) {
  return tx<{ record_id: string; registration_number: string; missing: PersonRole[]; extra: string[] }[]>`
    select record_id, registration_number,
           array(select unnest(expected) except select unnest(stored)) as missing,
           array(select unnest(stored) except select unnest(expected)) as extra
    from (
      ${current(
        tx,
        scope,
        tx`r.record_id, r.registration_number, r.seq,
          case when v.kind = 'marriage' then array['spouse1', 'spouse2']
               else array_remove(array['child', 'mother', case when c.d ? 'father' and c.d -> 'father' <> 'null' then 'father' end], null) end as expected,
          array(select p.role from registry_people p where p.record_id = r.record_id) as stored`,
      )}
    ) x
    where not (expected @> stored and stored @> expected)
    order by seq`;
}

interface PersonRow {
  record_id: string;
  registration_number: string;
  kind: string;
  role: PersonRole;
  search_name: string;
  identity_name: string;
  identity_name_after: string | null;
  date_of_birth: string;
  pinfl: string | null;
  birth_identity: string | null;
  birth_identity_pinfl: string | null;
  family_name: string | null;
  given_name: string | null;
  patronymic: string | null;
  family_name_after: string | null;
  committed_birth: string | null;
  committed_pinfl: string | null;
}

/** Rows per cursor fetch: one per indexed person. */
const CHUNK = 5000;

/**
 * Each indexed person against the person the details name in that role, and each birth's identity
 * against its child and mother: one pass over registry_people in record order.
 */
async function peopleDiffering(tx: TransactionSql, scope: RegistryIndexScope): Promise<{ recordId: string; registrationNumber: string; what: string }[]> {
  const out: { recordId: string; registrationNumber: string; what: string }[] = [];
  const keys = new NameKeys();
  const birth = new BirthIdentityCheck(tx);
  const query = current(
    tx,
    scope,
    tx`r.record_id, r.registration_number, v.kind, r.birth_identity, r.birth_identity_pinfl, p.role, p.search_name, p.identity_name, p.identity_name_after,
       p.date_of_birth::text as date_of_birth, p.pinfl,
       s.person ->> 'familyName' as family_name, s.person ->> 'givenName' as given_name, s.person ->> 'patronymic' as patronymic,
       s.person ->> 'familyNameAfterMarriage' as family_name_after, s.person ->> 'dateOfBirth' as committed_birth, s.person ->> 'pinfl' as committed_pinfl`,
    tx`join registry_people p on p.record_id = r.record_id
       cross join lateral (select case p.role when 'spouse1' then c.d -> 'spouses' -> 0 when 'spouse2' then c.d -> 'spouses' -> 1 else c.d -> p.role end as person) s`,
  );
  for await (const rows of tx`${query} order by r.seq, p.role`.cursor(CHUNK) as AsyncIterable<PersonRow[]>) {
    for (const row of rows) {
      const fields = personDifferences(row, keys);
      if (fields.length) out.push({ recordId: row.record_id, registrationNumber: row.registration_number, what: `${row.role} (${fields.join(', ')})` });
      if (row.kind === 'birth') birth.add(row);
    }
  }
  out.push(...(await birth.differing()));
  return out;
}

/** The fields of an indexed person that are not what the registry derives from the committed one. */
function personDifferences(row: PersonRow, keys: NameKeys): string[] {
  if (row.family_name === null || row.given_name === null) return ['not in the record'];
  const named = { familyName: row.family_name, givenName: row.given_name, patronymic: row.patronymic ?? undefined };
  const fields: string[] = [];
  if (row.search_name !== keys.search(named)) fields.push('search name');
  if (row.identity_name !== keys.identity(named)) fields.push('identity name');
  const after = row.family_name_after === null ? null : personName(row.family_name_after, row.given_name);
  if (row.identity_name_after !== after) fields.push('name after marriage');
  if (row.date_of_birth !== row.committed_birth) fields.push('date of birth');
  if (row.pinfl !== row.committed_pinfl) fields.push('PINFL');
  return fields;
}

/**
 * The name keys of records/people.ts, each worked out once per distinct name: registers repeat
 * names (a mother and her children share a family name; given names come from a short list).
 */
class NameKeys {
  #search = new Map<string, string>();
  #identity = new Map<string, string>();

  search(p: { familyName: string; givenName: string; patronymic?: string | undefined }): string {
    const key = `${p.familyName}\u0000${p.givenName}\u0000${p.patronymic ?? ''}`;
    let value = this.#search.get(key);
    if (value === undefined) this.#search.set(key, (value = searchName(p)));
    return value;
  }

  identity(p: { familyName: string; givenName: string }): string {
    const key = `${p.familyName}\u0000${p.givenName}`;
    let value = this.#identity.get(key);
    if (value === undefined) this.#identity.set(key, (value = identityName(p)));
    return value;
  }
}

type Person = { familyName: string; givenName: string; dateOfBirth: string; pinfl?: string };

/**
 * A birth's keys (records/people.ts, birthIdentity) from its child's and mother's rows, compared
 * with the index. A key may be empty only where another registration holds it: the later of a
 * birth stored twice before the key's index existed (migrations 0010, 0015), or, for the names
 * key, the birth of a namesake mother. Those are looked up once the pass is done.
 */
class BirthIdentityCheck {
  #tx: TransactionSql;
  #parts = new Map<string, { row: PersonRow; child?: Person; mother?: Person }>();
  #without = { byNames: new Map<string, PersonRow>(), byPinfl: new Map<string, PersonRow>() };
  #differing: { recordId: string; registrationNumber: string; what: string }[] = [];

  constructor(tx: TransactionSql) {
    this.#tx = tx;
  }

  add(row: PersonRow): void {
    if (row.role !== 'child' && row.role !== 'mother') return;
    const entry = this.#parts.get(row.record_id) ?? { row };
    entry[row.role] = { familyName: row.family_name ?? '', givenName: row.given_name ?? '', dateOfBirth: row.committed_birth ?? '', ...(row.committed_pinfl && { pinfl: row.committed_pinfl }) };
    if (entry.child && entry.mother) {
      this.#parts.delete(row.record_id);
      const expected = birthIdentity({ child: entry.child, mother: entry.mother } as never);
      this.#judge(row, 'byNames', row.birth_identity, expected.byNames);
      this.#judge(row, 'byPinfl', row.birth_identity_pinfl, expected.byPinfl);
    } else this.#parts.set(row.record_id, entry);
  }

  #judge(row: PersonRow, key: 'byNames' | 'byPinfl', stored: string | null, expected: string | null): void {
    if (stored === expected) return;
    if (stored === null && expected !== null) this.#without[key].set(expected, row);
    else this.#differing.push({ recordId: row.record_id, registrationNumber: row.registration_number, what: KEY_NAMES[key] });
  }

  async differing(): Promise<{ recordId: string; registrationNumber: string; what: string }[]> {
    for (const [key, column] of [['byNames', 'birth_identity'], ['byPinfl', 'birth_identity_pinfl']] as const) {
      const without = this.#without[key];
      if (without.size === 0) continue;
      const held = await this.#tx<{ identity: string; record_id: string }[]>`
        select ${this.#tx(column)} as identity, record_id from registry_records where ${this.#tx(column)} = any(${this.#tx.array([...without.keys()])}::text[])`;
      const holders = new Map(held.map((h) => [h.identity, h.record_id]));
      for (const [identity, row] of without) {
        const holder = holders.get(identity);
        if (!holder || holder === row.record_id) {
          this.#differing.push({ recordId: row.record_id, registrationNumber: row.registration_number, what: `${KEY_NAMES[key]} (none, and no other registration holds it)` });
        }
      }
    }
    return this.#differing;
  }
}

const KEY_NAMES = { byNames: 'birth identity by names', byPinfl: "birth identity by the mother's PINFL" } as const;
