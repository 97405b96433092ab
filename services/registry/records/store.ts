/**
 * @module
 * The registry's own tables (migration 0003), beside the ledger: which records it issued, under
 * which number and office, which version is current, and who is in each current version.
 * Plain functions over postgres.js; the transactions are the callers'.
 */
import type { PendingQuery, Row } from 'postgres';
import type { Db, PreparedRecordVersion } from '../../ledger/record-versions.ts';
import { toHex, type Hex } from '../../ledger/core.ts';
import { auditRow, type AuditEntry } from '../../audit-trail/trail.ts';
import type { BirthIdentity, IndexedPerson } from './people.ts';
import type { HeldKeys } from '../births/registered-once.ts';

export type RegistrationKind = 'birth' | 'marriage';

export interface RegistryRecord {
  recordId: string;
  seq: bigint;
  kind: RegistrationKind;
  office: string;
  registrationNumber: string;
  currentVersion: number;
  registeredAt: Date;
  correctedAt: Date | null;
}

interface RecordRow {
  record_id: string;
  seq: bigint;
  kind: RegistrationKind;
  office_code: string;
  registration_number: string;
  current_version: number;
  registered_at: Date;
  corrected_at: Date | null;
}

export const toRegistryRecord = (r: RecordRow): RegistryRecord => ({
  recordId: r.record_id,
  seq: r.seq,
  kind: r.kind,
  office: r.office_code,
  registrationNumber: r.registration_number,
  currentVersion: r.current_version,
  registeredAt: r.registered_at,
  correctedAt: r.corrected_at,
});

/** `OOOO-YYYY-NNNNNN`: office code, year, and the office's sequence within the year. */
export function formatRegistrationNumber(office: string, year: number, sequence: number): string {
  return `${office}-${year}-${String(sequence).padStart(6, '0')}`;
}

/**
 * The next registration number of `office` in `year`. The counter row stays locked until the
 * caller's transaction ends, so concurrent registrations of one office queue here, and a rollback
 * gives the number back: no gaps, no duplicates.
 */
export async function allocateRegistrationNumber(tx: Db, office: string, year: number): Promise<{ sequence: number; number: string }> {
  const first = await allocateRegistrationNumbers(tx, year, new Map([[office, 1]]));
  const sequence = first.get(office)!;
  return { sequence, number: formatRegistrationNumber(office, year, sequence) };
}

/**
 * `count` consecutive numbers for each office (one statement for a whole batch); answers the first
 * sequence of each office's run. Rows are locked in office order, so two batches never deadlock.
 */
export async function allocateRegistrationNumbers(tx: Db, year: number, counts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const last = await takeNumbers(tx, year, counts);
  return new Map(last.map((r) => [r.office_code, r.last_sequence - counts.get(r.office_code)! + 1]));
}

/**
 * The statement that takes `counts` numbers of each office in `year` from the counters and answers
 * each office's last; a statement of its own, or a part of a foreseen batch's statement.
 */
function takeNumbers(tx: Db, year: number, counts: ReadonlyMap<string, number>) {
  const rows = JSON.stringify(offices(counts).map((office_code) => ({ office_code, year, last_sequence: counts.get(office_code)! })));
  return tx<{ office_code: string; year: number; last_sequence: number }[]>`
    insert into registration_counters (office_code, year, last_sequence)
    select office_code, year, last_sequence from json_populate_recordset(null::registration_counters, ${rows}::text::json) with ordinality order by ordinality
    on conflict (office_code, year) do update set last_sequence = registration_counters.last_sequence + excluded.last_sequence
    returning office_code, year, last_sequence`;
}

const offices = (counts: ReadonlyMap<string, number>) => [...counts.keys()].sort();

export interface NewRegistryRecord {
  recordId: string;
  kind: RegistrationKind;
  office: string;
  year: number;
  sequence: number;
  registrationNumber: string;
  /** Births: what makes two registrations one birth (records/people.ts, birthIdentity); null for marriages. */
  birthIdentity: BirthIdentity | null;
}

const recordRow = (r: NewRegistryRecord) => ({
  record_id: r.recordId,
  kind: r.kind,
  office_code: r.office,
  registration_year: r.year,
  registration_sequence: r.sequence,
  registration_number: r.registrationNumber,
  current_version: 1,
  birth_identity: r.birthIdentity?.byNames ?? null,
  birth_identity_pinfl: r.birthIdentity?.byPinfl ?? null,
});

/** The unique indexes behind a birth's two keys (migrations 0010 and 0015). */
export const BIRTH_IDENTITY_INDEXES: ReadonlySet<string> = new Set(['registry_records_birth_identity', 'registry_records_birth_identity_pinfl']);

/** A registration holding a birth's key. */
export interface BirthHolder {
  registrationNumber: string;
  motherPinfl: string | null;
}

/** The registrations holding any key of `identities`, other than `except` (a record being corrected holds its own). */
export async function findBirthHolders(db: Db, identities: readonly BirthIdentity[], except?: string): Promise<HeldKeys<BirthHolder>> {
  const keys = (pick: (i: BirthIdentity) => string | null) => identities.map(pick).filter((k): k is string => k !== null);
  const rows = await db<{ registration_number: string; birth_identity: string | null; birth_identity_pinfl: string | null; mother_pinfl: string | null }[]>`
    select r.registration_number, r.birth_identity, r.birth_identity_pinfl, m.pinfl as mother_pinfl
    from registry_records r left join registry_people m on m.record_id = r.record_id and m.role = 'mother'
    where (r.birth_identity = any(${db.array(keys((i) => i.byNames))}::text[]) or r.birth_identity_pinfl = any(${db.array(keys((i) => i.byPinfl))}::text[]))
      ${except ? db`and r.record_id <> ${except}::uuid` : db``}`;
  const held = { byNames: new Map<string, BirthHolder>(), byPinfl: new Map<string, BirthHolder>() };
  for (const r of rows) {
    const holder = { registrationNumber: r.registration_number, motherPinfl: r.mother_pinfl };
    if (r.birth_identity !== null) held.byNames.set(r.birth_identity, holder);
    if (r.birth_identity_pinfl !== null) held.byPinfl.set(r.birth_identity_pinfl, holder);
  }
  return held;
}

const personRow = (p: IndexedPerson & { recordId: string }) => ({
  record_id: p.recordId,
  role: p.role,
  search_name: p.searchName,
  identity_name: p.identityName,
  identity_name_after: p.identityNameAfter,
  date_of_birth: p.dateOfBirth,
  pinfl: p.pinfl,
});

export async function insertPeople(tx: Db, people: readonly (IndexedPerson & { recordId: string })[]): Promise<void> {
  if (people.length === 0) return;
  await tx`insert into registry_people ${tx(people.map(personRow))}`;
}

/** A batch's runs of numbers: `counts` numbers of each office in `year`, from `first`. */
export interface NumbersTaken {
  year: number;
  counts: ReadonlyMap<string, number>;
  first: ReadonlyMap<string, number>;
}

/**
 * The counters' part of a foreseen batch's statement (CTEs `numbers_taken`, `numbers_foreseen`):
 * the runs taken, rows locked in office order as allocateRegistrationNumbers locks them, and the
 * check that each office's counter now ends where the forecast's run ends.
 */
function takeForeseenNumbers(tx: Db, { year, counts, first }: NumbersTaken) {
  const expected = JSON.stringify(offices(counts).map((office_code) => ({ office_code, year, last_sequence: first.get(office_code)! + counts.get(office_code)! - 1 })));
  return tx`
    numbers_taken as (${takeNumbers(tx, year, counts)}),
    numbers_foreseen as (
      select registration_numbers_as_foreseen(not exists (
        select from json_populate_recordset(null::registration_counters, ${expected}::text::json) e
        left join numbers_taken t using (office_code, year)
        where t.last_sequence is distinct from e.last_sequence)) as foreseen
    ),`;
}

/** A numbered registration, ready to be written: its first version, index rows and audit entry. */
export interface RegistrationRows {
  version: PreparedRecordVersion;
  record: NewRegistryRecord;
  people: readonly IndexedPerson[];
  audit: AuditEntry;
}

const bytea = (hex: string) => `\\x${hex.slice(2)}`;

/**
 * Writes a batch of new registrations in one statement: each first version and its pending entry
 * (as appendRecordVersion writes them), the registry index, the people and the audit entries. Rows
 * travel as JSON arrays whose keys are the column names (json_populate_recordset), so the
 * statement is the same for every batch size and is prepared once per connection; as `json`, which
 * PostgreSQL reads straight into rows, not `jsonb`, which it would first build and sort (half the
 * CPU per row, measured on audit rows); versions and records keep the batch's order (the ledger's commit order, the listing order). Foreign keys
 * between the rows are checked at the end of the statement or at commit.
 *
 * Each version's content travels as its RFC 8785 text, the very bytes its commitment covers: it
 * is JSON already, and serialising the content again would cost as much as canonicalising did.
 * The statement is answered unsent, its parameters serialised here (JSON text, passed as `text`
 * so that postgres.js sends it as it is): it can be pipelined with a COMMIT (transaction.ts).
 *
 * With `taking`, the batch was numbered from a forecast (number-forecast.ts) and the statement
 * also takes its numbers from the counters, as allocateRegistrationNumbers does, and fails unless
 * they are the ones foreseen (migration 0016). Every insert of the statement is gated on that check
 * (PostgreSQL runs a statement's parts in an order of its own): nothing is written before the
 * counter rows are locked, in office order, as a transaction numbered from the counters locks them
 * before it writes. Otherwise a batch could hold a registration number in the unique index while
 * waiting for the counter row that a batch of the same office holds, itself waiting to know whether
 * that number is free: a deadlock (seen under 300 simultaneous births of one office).
 */
export function insertRegistrations(tx: Db, batch: readonly RegistrationRows[], taking?: NumbersTaken): PendingQuery<Row[]> {
  const contents = `[${batch.map((b) => b.version.canonical).join(',')}]`;
  const versions = JSON.stringify(
    batch.map(({ version: v }) => ({
      record_id: v.recordId,
      version: v.version,
      kind: v.kind,
      salt: bytea(v.salt),
      commitment: bytea(v.commitment),
      leaf: bytea(v.leaf),
      previous_commitment: v.previousCommitment === null ? null : bytea(v.previousCommitment),
    })),
  );
  const records = JSON.stringify(batch.map((b) => recordRow(b.record)));
  const people = JSON.stringify(batch.flatMap((b) => b.people.map((p) => personRow({ ...p, recordId: b.record.recordId }))));
  const audits = JSON.stringify(batch.map((b) => auditRow(b.audit)));
  // A foreseen batch's inserts write only once the counters are taken as foreseen.
  const gate = taking ? tx`where (select foreseen from numbers_foreseen)` : tx``;
  return tx`
    with ${taking ? takeForeseenNumbers(tx, taking) : tx``} version as (
      insert into record_versions (record_id, version, kind, content, salt, commitment, leaf, previous_commitment)
      select v.record_id, v.version, v.kind, c.content, v.salt, v.commitment, v.leaf, v.previous_commitment
      from json_populate_recordset(null::record_versions, ${versions}::text::json) with ordinality v
      join jsonb_array_elements(${contents}::text::jsonb) with ordinality c (content, ordinality) using (ordinality)
      ${gate}
      order by ordinality
      returning id
    ), pending as (
      insert into ledger_pending (version_id) select id from version
    ), record as (
      insert into registry_records (record_id, kind, office_code, registration_year, registration_sequence, registration_number, current_version, birth_identity, birth_identity_pinfl)
      select record_id, kind, office_code, registration_year, registration_sequence, registration_number, current_version, birth_identity, birth_identity_pinfl
      from json_populate_recordset(null::registry_records, ${records}::text::json) with ordinality ${gate} order by ordinality
    ), person as (
      insert into registry_people (record_id, role, search_name, identity_name, identity_name_after, date_of_birth, pinfl)
      select record_id, role, search_name, identity_name, identity_name_after, date_of_birth, pinfl
      from json_populate_recordset(null::registry_people, ${people}::text::json) ${gate}
    )
    insert into audit_trail (request_id, actor_token_id, actor_name, actor_role, actor_office, method, route, path, record_id, status, client_address, forwarded_for, user_agent)
    select request_id, actor_token_id, actor_name, actor_role, actor_office, method, route, path, record_id, status, client_address, forwarded_for, user_agent
    from json_populate_recordset(null::audit_trail, ${audits}::text::json) with ordinality ${gate} order by ordinality`;
}

/** A registration as it was issued: its number and first version, and what that version says. */
export interface IssuedRegistration {
  recordId: string;
  registrationNumber: string;
  version: number;
  commitment: Hex;
  kind: RegistrationKind;
  office: string;
  details: unknown;
}

/**
 * The registrations among `recordIds` that exist, as they were issued (their first version): after
 * a session ended while its COMMIT was under way, or for a repeated request, what committed is
 * found here rather than guessed.
 */
export async function findIssued(db: Db, recordIds: readonly string[]): Promise<Map<string, IssuedRegistration>> {
  const rows = await db<{ record_id: string; registration_number: string; commitment: Buffer; kind: RegistrationKind; office_code: string; details: unknown }[]>`
    select r.record_id, r.registration_number, v.commitment, r.kind, r.office_code, v.content -> 'data' -> 'details' as details
    from registry_records r join record_versions v on v.record_id = r.record_id and v.version = 1
    where r.record_id = any(${db.array(recordIds as string[])}::uuid[])`;
  return new Map(
    rows.map((r) => [
      r.record_id,
      { recordId: r.record_id, registrationNumber: r.registration_number, version: 1, commitment: toHex(r.commitment), kind: r.kind, office: r.office_code, details: r.details },
    ]),
  );
}

export async function findRegistryRecord(db: Db, recordId: string, options: { lock?: boolean } = {}): Promise<RegistryRecord | undefined> {
  const [row] = await db<RecordRow[]>`
    select record_id, seq, kind, office_code, registration_number, current_version, registered_at, corrected_at
    from registry_records where record_id = ${recordId} ${options.lock ? db`for update` : db``}`;
  return row ? toRegistryRecord(row) : undefined;
}

/** Makes `version` the current one and re-indexes its people. */
export async function advanceRecord(tx: Db, recordId: string, version: number, people: readonly IndexedPerson[], identity: BirthIdentity | null): Promise<void> {
  // A birth stored twice before a key's index existed has no such key (the first registration of it
  // has): it keeps none while it still is that birth, so that it can be corrected at all.
  const byNames = identity?.byNames ?? null;
  const byPinfl = identity?.byPinfl ?? null;
  await tx`
    update registry_records r set current_version = ${version}, corrected_at = now(),
      birth_identity = case
        when r.birth_identity is null and exists (select 1 from registry_records o where o.birth_identity = ${byNames} and o.record_id <> r.record_id) then null
        else ${byNames}::text end,
      birth_identity_pinfl = case
        when r.birth_identity_pinfl is null and exists (select 1 from registry_records o where o.birth_identity_pinfl = ${byPinfl} and o.record_id <> r.record_id) then null
        else ${byPinfl}::text end
    where r.record_id = ${recordId}`;
  await tx`delete from registry_people where record_id = ${recordId}`;
  await insertPeople(tx, people.map((p) => ({ ...p, recordId })));
}

/**
 * Serialises registrations that involve the same persons (transaction-scoped advisory locks, taken
 * in one order so two transactions never wait on each other), so two marriages of one person
 * cannot both pass the "not already married" check.
 */
export async function lockPersons(tx: Db, people: readonly IndexedPerson[]): Promise<void> {
  const keys = new Set<string>();
  for (const p of people) {
    keys.add(`person:${p.identityName}|${p.dateOfBirth}`);
    if (p.pinfl) keys.add(`pinfl:${p.pinfl}`);
  }
  for (const key of [...keys].sort()) await tx`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/** Marriages recorded here (other than `exclude`) whose current version has this person as a spouse. */
export async function currentMarriagesOf(tx: Db, p: IndexedPerson, exclude: string | null): Promise<string[]> {
  const rows = await tx<{ registration_number: string }[]>`
    select distinct r.registration_number
    from registry_people s join registry_records r on r.record_id = s.record_id
    where r.kind = 'marriage' and s.role in ('spouse1', 'spouse2')
      and r.record_id is distinct from ${exclude}::uuid
      and (${p.pinfl ? tx`s.pinfl = ${p.pinfl} or` : tx``}
           ((s.identity_name = ${p.identityName} or s.identity_name_after = ${p.identityName}) and s.date_of_birth = ${p.dateOfBirth}))
    order by 1`;
  return rows.map((r) => r.registration_number);
}
