/**
 * @module
 * Test support: births and marriages written the way the registry writes them (a ledger version
 * plus its `registry_records` index row, migration 0003), corrections, and anchoring by the real
 * anchor worker. Certificates and the public page read exactly these rows.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { TestEnvironment } from '../../../tests/support/services.ts';
import type { Sql } from '../../database/client.ts';
import { appendRecordVersion, recordHistory, type RecordVersion } from '../../ledger/record-versions.ts';
import { startAnchorWorker } from '../../ledger/anchor-worker.ts';
import { newAnchorWorkerMetrics } from '../../ledger/anchor-metrics.ts';
import { createToken } from '../../access/tokens.ts';
import type { Role } from '../../access/roles.ts';
import type { VerificationLink } from '../verification-link.ts';

export const BIRTH = {
  child: {
    familyName: 'Gʻulomova',
    givenName: 'Oʻgʻiloy',
    patronymic: 'Rustam qizi',
    sex: 'female',
    dateOfBirth: '2025-10-03',
    placeOfBirth: { region: 'Samarqand viloyati', district: 'Urgut tumani', settlement: 'Urgut' },
  },
  mother: { familyName: 'Gʻulomova', givenName: 'Dilnoza', patronymic: 'Akmal qizi', dateOfBirth: '1996-04-18', citizenship: 'UZ', pinfl: '41804961230045' },
  father: { familyName: 'Gʻulomov', givenName: 'Rustam', patronymic: 'Olim oʻgʻli', dateOfBirth: '1993-09-07', citizenship: 'UZ', pinfl: '30709931230017' },
  informant: { familyName: 'Gʻulomov', givenName: 'Rustam', patronymic: 'Olim oʻgʻli', relationship: 'father', pinfl: '30709931230017' },
};

export const MARRIAGE = {
  dateOfMarriage: '2025-10-18',
  spouses: [
    { familyName: 'Toshmatov', givenName: 'Jasur', patronymic: 'Baxtiyor oʻgʻli', dateOfBirth: '1997-02-11', citizenship: 'UZ', pinfl: '31102971234567', familyNameAfterMarriage: 'Toshmatov' },
    { familyName: 'Юсупова', givenName: 'Нилуфар', patronymic: 'Шавкатовна', dateOfBirth: '1999-06-25', citizenship: 'KZ', familyNameAfterMarriage: 'Toshmatova' },
  ],
};

export interface Registered {
  recordId: string;
  registrationNumber: string;
  version: RecordVersion;
}

/**
 * A registration in `office`, committed in the registry's shape (`RegistrationContent` of
 * services/registry/registrations.ts) and numbered as the registry numbers them.
 */
export async function register(sql: Sql, kind: 'birth' | 'marriage', office: string, details: Record<string, unknown>): Promise<Registered> {
  return sql.begin(async (tx) => {
    const registeredOn = new Date().toISOString().slice(0, 10);
    const year = Number(registeredOn.slice(0, 4));
    const [row] = await tx<{ next: number }[]>`
      select coalesce(max(registration_sequence), 0) + 1 as next from registry_records where office_code = ${office} and registration_year = ${year}`;
    const registrationNumber = `${office}-${year}-${String(row!.next).padStart(6, '0')}`;
    const data = { registration: { number: registrationNumber, office, registeredOn }, details };
    const version = await appendRecordVersion(tx, { kind, data });
    await tx`
      insert into registry_records (record_id, kind, office_code, registration_year, registration_sequence, registration_number, current_version)
      values (${version.recordId}, ${kind}, ${office}, ${year}, ${row!.next}, ${registrationNumber}, 1)`;
    return { recordId: version.recordId, registrationNumber, version };
  });
}

type Details = Record<string, unknown>;

/** A correction of the details: a new version naming the previous one; the registry's index moves to it. */
export async function correct(sql: Sql, recordId: string, change: (details: Details) => Details): Promise<RecordVersion> {
  return sql.begin(async (tx) => {
    const previous = (await recordHistory(tx, recordId)).at(-1)!;
    const data = previous.content.data as { registration: unknown; details: Details };
    const version = await appendRecordVersion(tx, {
      recordId,
      kind: previous.kind,
      data: { registration: data.registration, details: change(structuredClone(data.details)), correction: { reason: 'spelling of the given name', correctsVersion: previous.version } },
      previous: { version: previous.version, commitment: previous.commitment },
    });
    await tx`update registry_records set current_version = ${version.version}, corrected_at = now() where record_id = ${recordId}`;
    return version;
  });
}

export const linkOf = (version: RecordVersion): VerificationLink => ({ recordId: version.recordId, version: version.version, commitment: version.commitment });

/** Runs the real anchor worker until nothing is pending or unanchored, then stops it. */
export async function anchorEverything(env: TestEnvironment, timeoutMs = 30_000): Promise<void> {
  const worker = startAnchorWorker(env.config, env.sql, pino({ level: 'silent' }), { metrics: newAnchorWorkerMetrics(), backoff: { initialMs: 50, maxMs: 500 } });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = await env.sql<{ waiting: number }[]>`
        select (select count(*)::int from ledger_pending)
             + (select count(*)::int from batches b where not exists (select 1 from batch_anchors a where a.batch_id = b.id)) as waiting`;
      if (row!.waiting === 0) return;
      if (Date.now() > deadline) throw new Error('anchoring did not finish in time');
      await sleep(50);
    }
  } finally {
    await worker.stop();
  }
}

export async function tokenFor(sql: Sql, role: Role, office?: string): Promise<string> {
  const { token } = await createToken(sql, { name: `${role}-${office ?? 'all'}-${Math.random().toString(36).slice(2, 8)}`, role, office });
  return token;
}
