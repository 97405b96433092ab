/**
 * One registration per birth. registry_records.birth_identity holds what makes two birth
 * registrations one birth (services/registry/records/people.ts, birthIdentity: the child's and the
 * mother's names and dates of birth), under a unique index: a birth registered again, by the same
 * desk or another, in Latin or in Cyrillic, at the same moment or years later, is refused and
 * answered with the registration that exists.
 *
 * Births already stored get the identity of their current version. Where the registry already
 * holds one birth twice, the first registration keeps it and the later ones keep none: they stay,
 * untouched (the ledger never loses a version), for the registry to settle by correction; they are
 * the births with no identity (`where kind = 'birth' and birth_identity is null`).
 */
import type { Sql } from '../client.ts';
import { birthIdentity } from '../../registry/records/people.ts';
import type { BirthDetails } from '../../registry/births/schema.ts';

const BATCH = 1000;

/** The identity as this migration stored it: the mother by PINFL where known, else by names (migration 0015 keeps both keys). */
function identityOf(details: Pick<BirthDetails, 'child' | 'mother'>): string {
  const keys = birthIdentity(details);
  return keys.byPinfl ?? keys.byNames!;
}

export async function up(db: Sql): Promise<void> {
  await db`alter table registry_records add column birth_identity text`;
  const seen = new Set<string>();
  let after = 0n;
  for (;;) {
    const rows: { seq: bigint; record_id: string; details: Pick<BirthDetails, 'child' | 'mother'> }[] = await db`
      select r.seq, r.record_id, v.content -> 'data' -> 'details' as details
      from registry_records r join record_versions v on v.record_id = r.record_id and v.version = r.current_version
      where r.kind = 'birth' and r.seq > ${String(after)}::bigint
      order by r.seq limit ${BATCH}`;
    if (rows.length === 0) break;
    const identities = rows.flatMap((r) => {
      const identity = identityOf(r.details);
      if (seen.has(identity)) return [];
      seen.add(identity);
      return [{ record_id: r.record_id, birth_identity: identity }];
    });
    if (identities.length) {
      await db`
        update registry_records r set birth_identity = u.birth_identity
        from jsonb_to_recordset(${JSON.stringify(identities)}::text::jsonb) as u (record_id uuid, birth_identity text)
        where r.record_id = u.record_id`;
    }
    after = BigInt(rows[rows.length - 1]!.seq);
  }
  await db`create unique index registry_records_birth_identity on registry_records (birth_identity) where birth_identity is not null`;
}
