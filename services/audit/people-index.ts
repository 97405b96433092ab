/**
 * @module
 * The registry's people index and birth keys checked against what the current version committed
 * (registry-index.ts checks the registration's own columns). Nothing here is committed, so a DBA
 * can rewrite it without touching a leaf, and what the API does rests on it: `registry_people`
 * gives the names search finds, and the identity names, dates of birth and PINFLs the marriage
 * rules compare (a changed search name hides a child from search; a changed identity name or PINFL
 * lets a second marriage of one person through); a birth's keys keep it from being registered
 * twice.
 *
 * The check rides on the audit's one pass over the ledger: the scan reads each current version's
 * index rows beside it ({@link indexedColumn}), and the hashing workers, which have its content
 * parsed already, compare them ({@link indexDifferences}), deriving the names by the registry's own
 * functions (registry/records/people.ts), the ones that wrote them, so the keys compare exactly.
 * `crvs verify record` runs the same comparison on its one record ({@link readPeopleIndex}).
 */
import type { PendingQuery, Row } from 'postgres';
import type { TransactionSql } from '../database/client.ts';
import { birthIdentity, identityName, personName, searchName, type BirthIdentity, type PersonRole } from '../registry/records/people.ts';

/** What the index says of one record: JSON text of [number, byNames, byPinfl, [[role, search, identity, identityAfter, dob, pinfl], ...]]. */
type Indexed = [string, string | null, string | null, [string, string, string, string | null, string, string | null][]];

/**
 * The index rows of the version in `v` (a `record_versions` row, with `registry_records` joined as
 * `r` on its current version), as one JSON text; null for a version that is not a registration's
 * current one, or is followed by a newer version (record-index.ts reports that).
 */
export function indexedColumn(tx: TransactionSql): PendingQuery<Row[]> {
  return tx`
    case when r.record_id is not null and not exists (select 1 from record_versions n where n.record_id = v.record_id and n.version > v.version) then
      json_build_array(r.registration_number, r.birth_identity, r.birth_identity_pinfl,
        (select coalesce(json_agg(json_build_array(p.role, p.search_name, p.identity_name, p.identity_name_after, p.date_of_birth::text, p.pinfl) order by p.role), '[]')
         from registry_people p where p.record_id = v.record_id))::text
    end`;
}

/** A birth key left empty: allowed only where another registration holds it (checked once the pass is done). */
export interface KeyWithout {
  key: keyof typeof KEY_NAMES;
  identity: string;
}

/** How a record's index differs from its committed version, as the finding will say it. */
export interface IndexDifference {
  registrationNumber: string;
  what: string[];
  without: KeyWithout[];
}

export const KEY_NAMES = { byNames: 'birth identity by names', byPinfl: "birth identity by the mother's PINFL" } as const;

type CommittedPerson = { familyName?: unknown; givenName?: unknown; patronymic?: unknown; familyNameAfterMarriage?: unknown; dateOfBirth?: unknown; pinfl?: unknown };

/**
 * The index of a registration (`indexed`, from {@link indexedColumn}) against its committed
 * content, already verified against its commitment. Null when they agree.
 */
export function indexDifferences(content: unknown, indexed: string, keys: NameKeys): IndexDifference | null {
  const [registrationNumber, byNames, byPinfl, stored] = JSON.parse(indexed) as Indexed;
  const c = content as { kind?: unknown; data?: { details?: Record<string, unknown> } };
  const details = c.data?.details ?? {};
  const committed = committedPeople(c.kind, details);
  const what: string[] = [];
  const storedRoles = new Set(stored.map((p) => p[0]));
  for (const role of committed.keys()) if (!storedRoles.has(role)) what.push(`${role} (missing)`);
  for (const [role, search, identity, after, dob, pinfl] of stored) {
    const person = committed.get(role as PersonRole);
    const fields = person ? personDifferences(person, { search, identity, after, dob, pinfl }, keys) : ['not in the record'];
    if (fields.length) what.push(`${role} (${fields.join(', ')})`);
  }
  const without: KeyWithout[] = [];
  const child = details.child as CommittedPerson | undefined;
  const mother = details.mother as CommittedPerson | undefined;
  const expected: Pick<BirthIdentity, 'byNames' | 'byPinfl'> = c.kind === 'birth' && child && mother ? birthIdentity({ child, mother } as never) : { byNames: null, byPinfl: null };
  for (const [key, actual] of [['byNames', byNames], ['byPinfl', byPinfl]] as const) {
    const wanted = expected[key];
    if (actual === wanted) continue;
    if (actual === null && wanted !== null) without.push({ key, identity: wanted });
    else what.push(KEY_NAMES[key]);
  }
  return what.length || without.length ? { registrationNumber, what, without } : null;
}

/** The persons a registration's details name, by the role the registry indexes them under. */
function committedPeople(kind: unknown, details: Record<string, unknown>): Map<PersonRole, CommittedPerson> {
  const people = new Map<PersonRole, CommittedPerson>();
  if (kind === 'marriage') {
    const spouses = Array.isArray(details.spouses) ? (details.spouses as CommittedPerson[]) : [];
    if (spouses[0]) people.set('spouse1', spouses[0]);
    if (spouses[1]) people.set('spouse2', spouses[1]);
  } else {
    for (const role of ['child', 'mother', 'father'] as const) {
      const person = details[role];
      if (person && typeof person === 'object') people.set(role, person as CommittedPerson);
    }
  }
  return people;
}

/** The fields of an indexed person that are not what the registry derives from the committed one. */
function personDifferences(
  p: CommittedPerson,
  row: { search: string; identity: string; after: string | null; dob: string; pinfl: string | null },
  keys: NameKeys,
): string[] {
  if (typeof p.familyName !== 'string' || typeof p.givenName !== 'string') return ['not in the record'];
  const named = { familyName: p.familyName, givenName: p.givenName, patronymic: typeof p.patronymic === 'string' ? p.patronymic : undefined };
  const fields: string[] = [];
  if (row.search !== keys.search(named)) fields.push('search name');
  if (row.identity !== keys.identity(named)) fields.push('identity name');
  const after = typeof p.familyNameAfterMarriage === 'string' ? personName(p.familyNameAfterMarriage, p.givenName) : null;
  if (row.after !== after) fields.push('name after marriage');
  if (row.dob !== p.dateOfBirth) fields.push('date of birth');
  if (row.pinfl !== (typeof p.pinfl === 'string' ? p.pinfl : null)) fields.push('PINFL');
  return fields;
}

/**
 * The name keys of records/people.ts, each worked out once per distinct name: registers repeat
 * names (a mother and her children share a family name; given names come from a short list).
 */
export class NameKeys {
  #search = new Map<string, string>();
  #identity = new Map<string, string>();

  get size(): number {
    return this.#search.size + this.#identity.size;
  }

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

/**
 * Records whose index differs, with the keys left empty judged: an empty key is a difference
 * unless another registration holds it (the later of a birth stored twice before the key's index
 * existed, migrations 0010 and 0015, or, for the names key, the birth of a namesake mother).
 */
export async function peopleIndexFindings(tx: TransactionSql, differences: ReadonlyMap<string, IndexDifference>): Promise<Map<string, { registrationNumber: string; what: string[] }>> {
  const out = new Map<string, { registrationNumber: string; what: string[] }>();
  for (const [recordId, d] of differences) if (d.what.length) out.set(recordId, { registrationNumber: d.registrationNumber, what: [...d.what] });
  for (const [key, column] of [['byNames', 'birth_identity'], ['byPinfl', 'birth_identity_pinfl']] as const) {
    const without = [...differences].flatMap(([recordId, d]) => d.without.filter((w) => w.key === key).map((w) => ({ recordId, d, identity: w.identity })));
    if (without.length === 0) continue;
    const held = await tx<{ identity: string; record_id: string }[]>`
      select ${tx(column)} as identity, record_id from registry_records where ${tx(column)} = any(${tx.array(without.map((w) => w.identity))}::text[])`;
    const holders = new Map(held.map((h) => [h.identity, h.record_id]));
    for (const { recordId, d, identity } of without) {
      const holder = holders.get(identity);
      if (holder && holder !== recordId) continue;
      const entry = out.get(recordId) ?? { registrationNumber: d.registrationNumber, what: [] };
      entry.what.push(`${KEY_NAMES[key]} (none, and no other registration holds it)`);
      out.set(recordId, entry);
    }
  }
  return out;
}

/** The people index of one record, checked as the audit's pass checks every record (`crvs verify record`). */
export async function readPeopleIndex(tx: TransactionSql, recordId: string): Promise<Map<string, IndexDifference>> {
  const rows = await tx<{ content: unknown; indexed: string | null }[]>`
    select v.content, ${indexedColumn(tx)} as indexed
    from record_versions v join registry_records r on r.record_id = v.record_id and r.current_version = v.version
    where v.record_id = ${recordId}::uuid`;
  const out = new Map<string, IndexDifference>();
  for (const row of rows) {
    if (row.indexed === null) continue;
    const d = indexDifferences(row.content, row.indexed, new NameKeys());
    if (d) out.set(recordId, d);
  }
  return out;
}
