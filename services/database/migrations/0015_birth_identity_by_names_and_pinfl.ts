/**
 * A birth gets two keys (services/registry/records/people.ts, birthIdentity), each under a unique
 * index: `birth_identity` becomes the child and the mother by names and dates of birth, always, and
 * `birth_identity_pinfl` the child and the mother's PINFL, where it is known. Until now the one key
 * took the mother by PINFL where it was known, else by names: a birth registered once with the
 * mother's PINFL and once without had two identities and was registered twice.
 *
 * Every birth's keys are recomputed from its current version, in registration order. A key held by
 * an earlier registration is left empty on the later one, as migration 0010 did: the later
 * registrations of a birth stored twice stay, untouched (the ledger never loses a version), for the
 * registry to settle by correction; so does the later of two births of namesake mothers (one name
 * and birthday, two PINFLs), which is a birth of its own and keeps its PINFL key.
 */
import type { Sql } from '../client.ts';
import { birthIdentity } from '../../registry/records/people.ts';
import type { BirthDetails } from '../../registry/births/schema.ts';

const BATCH = 1000;

export async function up(db: Sql): Promise<void> {
  await db`alter table registry_records add column birth_identity_pinfl text`;
  // The stored keys change form: their index is built again once they all have.
  await db`drop index registry_records_birth_identity`;
  const held = { byNames: new Set<string>(), byPinfl: new Set<string>() };
  const claim = (keys: Set<string>, key: string | null): string | null => {
    if (key === null || keys.has(key)) return null;
    keys.add(key);
    return key;
  };
  let after = 0n;
  for (;;) {
    const rows: { seq: bigint; record_id: string; details: Pick<BirthDetails, 'child' | 'mother'> }[] = await db`
      select r.seq, r.record_id, v.content -> 'data' -> 'details' as details
      from registry_records r join record_versions v on v.record_id = r.record_id and v.version = r.current_version
      where r.kind = 'birth' and r.seq > ${String(after)}::bigint
      order by r.seq limit ${BATCH}`;
    if (rows.length === 0) break;
    const keys = rows.map((r) => {
      const identity = birthIdentity(r.details);
      return { record_id: r.record_id, birth_identity: claim(held.byNames, identity.byNames), birth_identity_pinfl: claim(held.byPinfl, identity.byPinfl) };
    });
    await db`
      update registry_records r set birth_identity = k.birth_identity, birth_identity_pinfl = k.birth_identity_pinfl
      from json_to_recordset(${JSON.stringify(keys)}::text::json) as k (record_id uuid, birth_identity text, birth_identity_pinfl text)
      where r.record_id = k.record_id`;
    after = BigInt(rows[rows.length - 1]!.seq);
  }
  await db`create unique index registry_records_birth_identity on registry_records (birth_identity) where birth_identity is not null`;
  await db`create unique index registry_records_birth_identity_pinfl on registry_records (birth_identity_pinfl) where birth_identity_pinfl is not null`;
}
