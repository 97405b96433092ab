/**
 * Worker thread of the audit benchmark's ledger generator (tests/bench/audit.ts): builds one batch
 * of birth record versions with the ledger core (canonical form, salt, commitment, leaf, tree and
 * every proof) and returns them as PostgreSQL COPY text, so that a million versions load in minutes.
 */
import { randomUUID } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { canonicalise, commit, fromHex, sealLeaves, toHex } from '../../services/ledger/core.ts';
import { RECORD_VERSION_SCHEMA } from '../../services/ledger/record-versions.ts';
import type { BirthDetails } from '../../services/registry/births/schema.ts';
import { birthIdentity, birthPeople } from '../../services/registry/records/people.ts';

export interface BatchTask {
  batchId: number;
  /** record_versions.id of the first version: ids are assigned in COPY order on a fresh table. */
  firstVersionId: number;
  count: number;
}

export interface BatchRows {
  batchId: number;
  versions: string;
  /** The registry's index rows of each birth (registry_records, registry_people), as the API writes them. */
  records: string;
  people: string;
  leaves: string;
  root: string;
  count: number;
}

const GIVEN = ['Mohinur', 'Aziza', 'Dilnoza', 'Bekzod', 'Jahongir', 'Otabek', 'Zarina', 'Nodira', 'Sardor', 'Malika', 'Rustam', 'Ulugbek'];
const FAMILY = ['Karimov', 'Rahimov', 'Yusupov', 'Tursunov', 'Aliyev', 'Sobirov', 'Qodirov', 'Ergashev'];
const PLACES = [
  { region: 'Samarqand viloyati', district: 'Urgut tumani', settlement: 'Urgut' },
  { region: 'Toshkent shahri', district: 'Chilonzor tumani', settlement: 'Toshkent' },
  { region: "Farg'ona viloyati", district: "Marg'ilon shahri", settlement: "Marg'ilon" },
];

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;
const date = (year: number, n: number) => `${year}-${String((n % 12) + 1).padStart(2, '0')}-${String((n % 28) + 1).padStart(2, '0')}`;
/** The `days`-th day after 1 January of `year`. */
const dayOf = (year: number, days: number) => new Date(Date.UTC(year, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * A birth record version as the registry commits it (services/registry/registrations.ts): about 1 KB
 * of JSON. Every birth is another (records/people.ts, birthIdentity): the child's and the mother's
 * dates of birth together are unique up to 3,285,000 births, the mothers born 1975-1999.
 */
function birth(n: number, recordId: string) {
  const family = pick(FAMILY, n);
  const father = { familyName: family, givenName: pick(GIVEN, n + 3), patronymic: "Olim o'g'li", dateOfBirth: date(1990, n), citizenship: 'UZ', pinfl: String(30000000000000 + n) };
  const details = {
    child: { familyName: `${family}a`, givenName: pick(GIVEN, n), patronymic: 'Rustam qizi', sex: n % 2 ? 'female' : 'male', dateOfBirth: dayOf(2025, n % 365), placeOfBirth: pick(PLACES, n) },
    mother: { familyName: `${family}a`, givenName: pick(GIVEN, n + 7), patronymic: 'Akmal qizi', dateOfBirth: dayOf(1975, Math.floor(n / 365) % 9000), citizenship: 'UZ', pinfl: String(40000000000000 + n) },
    father,
    informant: { ...father, relationship: 'father' },
  } as BirthDetails;
  return {
    schema: RECORD_VERSION_SCHEMA,
    recordId,
    version: 1,
    kind: 'birth',
    previousCommitment: null,
    data: { registration: { number: `1802-2025-${String(n).padStart(7, '0')}`, office: '1802', registeredOn: date(2025, n) }, details },
  };
}

/** Average size of the canonical JSON of a generated version (about 1 KB, like the registry's births). */
export const CONTENT_BYTES = Math.round(
  Array.from({ length: 100 }, (_, i) => canonicalise(birth(i, randomUUID())).length).reduce((a, b) => a + b) / 100,
);

/** COPY text format: backslash, tab, newline and carriage return are escaped. */
const copyText = (s: string) => s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
const copyBytea = (hex: string) => `\\\\x${hex.startsWith('0x') ? hex.slice(2) : hex}`;

export function buildBatch(task: BatchTask): BatchRows {
  const versions: string[] = [];
  const records: string[] = [];
  const people: string[] = [];
  const leaves: Buffer[] = [];
  for (let i = 0; i < task.count; i++) {
    const recordId = randomUUID();
    const content = birth(task.firstVersionId + i, recordId);
    const c = commit(content);
    versions.push(`${recordId}\t1\tbirth\t${copyText(c.canonical)}\t${copyBytea(c.salt)}\t${copyBytea(c.commitment)}\t${copyBytea(c.leaf)}\n`);
    const { details } = content.data;
    const identity = birthIdentity(details);
    records.push(`${recordId}\tbirth\t1802\t2025\t${task.firstVersionId + i}\t${content.data.registration.number}\t1\t${copyText(identity.byNames!)}\t${identity.byPinfl === null ? '\\N' : copyText(identity.byPinfl)}\n`);
    for (const p of birthPeople(details)) {
      people.push(`${recordId}\t${p.role}\t${copyText(p.searchName)}\t${copyText(p.identityName)}\t\\N\t${p.dateOfBirth}\t${p.pinfl ?? '\\N'}\n`);
    }
    leaves.push(fromHex(c.leaf));
  }
  const { root, proofs } = sealLeaves(leaves);
  const rows = proofs.map((proof, i) => `${task.batchId}\t${i}\t${task.firstVersionId + i}\t${copyBytea(Buffer.concat(proof).toString('hex'))}\n`);
  return { batchId: task.batchId, versions: versions.join(''), records: records.join(''), people: people.join(''), leaves: rows.join(''), root: toHex(root), count: task.count };
}

parentPort?.on('message', (task: BatchTask) => parentPort!.postMessage(buildBatch(task)));
