/**
 * Test support for the audit: a small real ledger (births, a correction, archive entries with
 * stored objects) sealed into batches and anchored on the test chain, with the indexes the
 * application keeps beside it (registry_records, registry_people, archive_documents, audit_trail) as the registry
 * and the scanner pipeline write them, and the means to tamper with it all behind the
 * application's back, as an attacker with database rights would.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Wallet } from 'ethers';
import { ChainConnection } from '../chain/connection.ts';
import { registryAnchorAt } from '../chain/registry-anchor.ts';
import { contractAddress } from '../chain/settings.ts';
import type { Config } from '../config/env.ts';
import type { Sql } from '../database/client.ts';
import { sealNextBatch, type SealedBatch } from '../ledger/batches.ts';
import { fromHex } from '../ledger/core.ts';
import { appendRecordVersion, type RecordVersion } from '../ledger/record-versions.ts';
import { putObject } from '../objectstore/client.ts';
import { BIRTH_EXAMPLE, type BirthDetails } from '../registry/births/schema.ts';
import { birthIdentity, birthPeople } from '../registry/records/people.ts';
import { insertPeople } from '../registry/records/store.ts';
import { searchTextOf } from '../../scanner-pipeline/archive/entry.ts';
import type { FieldTree } from '../../scanner-pipeline/archive/fields.ts';
import type { TestEnvironment } from '../../tests/support/services.ts';
import { openAnchorReader } from './chain-batches.ts';
import { runAudit, type AuditOptions, type AuditResult } from './engine.ts';
import { connectAuditDatabase } from './read-only.ts';

export interface TestLedger {
  births: RecordVersion[];
  correction: RecordVersion;
  archive: RecordVersion[];
  batches: SealedBatch[];
}

export const BATCH_SIZE = 3;

/** The registration number of the test ledger's `i`-th birth. */
export const registrationNumberOf = (i: number) => `2601-2024-${String(i + 1).padStart(7, '0')}`;

/** A birth's details as the registry commits them (registrations.ts), for child `givenName` born on `date`. */
export function birthDetails(givenName: string, date: string): BirthDetails {
  const { office: _office, ...example } = BIRTH_EXAMPLE;
  const placeOfBirth = { region: 'Toshkent shahri', district: 'Yunusobod tumani', settlement: 'Yunusobod' };
  return { ...example, child: { ...example.child, givenName, dateOfBirth: date, placeOfBirth } } as BirthDetails;
}

/**
 * Appends 4 registered births (with their registry index rows, people and audit entries), a
 * correction of the first, 2 archive entries with their objects and document rows; anchors all.
 */
export async function buildLedger(env: TestEnvironment): Promise<TestLedger> {
  const births: RecordVersion[] = [];
  for (const [i, [child, date]] of ([['Aziza', '2024-03-01'], ['Bekzod', '2024-03-02'], ['Dilnoza', '2024-03-03'], ['Jahongir', '2024-03-04']] as const).entries()) {
    const registration = { number: registrationNumberOf(i), office: '2601', registeredOn: '2024-03-20' };
    births.push(await appendRecordVersion(env.sql, { kind: 'birth', data: { registration, details: birthDetails(child, date) } }));
  }
  const first = births[0]!;
  const correction = await appendRecordVersion(env.sql, {
    recordId: first.recordId,
    kind: 'birth',
    data: { registration: first.content.data.registration, details: birthDetails('Aziza', '2024-03-11'), correction: { reason: 'date of birth mistyped', correctsVersion: 1 } },
    previous: first,
  });
  for (const [i, birth] of births.entries()) await indexRegistration(env.sql, i === 0 ? correction : birth, i);
  const archive: RecordVersion[] = [];
  for (const name of ['akt-1957-014', 'akt-1962-203']) {
    const original = Buffer.from(`scan of ${name}`);
    const ocr = Buffer.from(`OCR text of ${name}`);
    const objects = [
      { key: `originals/${sha256(original)}`, sha256: sha256(original), role: 'original' },
      { key: `ocr/${sha256(ocr)}.txt`, sha256: sha256(ocr), role: 'ocr-text' },
    ];
    await putObject(env.store, objects[0]!.key, original);
    await putObject(env.store, objects[1]!.key, ocr);
    const fields: FieldTree = { child: { givenName: { value: name === 'akt-1957-014' ? 'Rustam' : 'Gulnora', confidence: 0.93 } } };
    const data = {
      sourceFile: `${name}.tif`,
      kind: 'birth',
      language: 'rus',
      pages: 1,
      originalSha256: objects[0]!.sha256,
      ocrTextSha256: objects[1]!.sha256,
      objects,
      fields,
      reviewStatus: 'not-needed',
      pendingReview: [] as string[],
    };
    const entry = await appendRecordVersion(env.sql, { kind: 'archive-entry', data });
    archive.push(entry);
    // As scanner-pipeline/archive/documents.ts stores a read document.
    await env.sql`
      insert into archive_documents (id, original_sha256, source_file, kind, language, pages, ocr_text, ocr_text_sha256,
        ocr_confidence, fields, pending_review, review_status, objects, version, commitment, search_text)
      values (${entry.recordId}, ${data.originalSha256}, ${data.sourceFile}, ${data.kind}, ${data.language}, ${data.pages}, ${ocr.toString()},
        ${data.ocrTextSha256}, 0.9, ${env.sql.json(fields as never)}, ${env.sql.array(data.pendingReview)}, ${data.reviewStatus},
        ${env.sql.json(objects as never)}, ${entry.version}, ${fromHex(entry.commitment)}, ${searchTextOf(fields, ocr.toString())})`;
  }
  return { births, correction, archive, batches: await anchorPending(env) };
}

/** The registry's index rows and audit entry of a registration at its current version, as services/registry writes them. */
async function indexRegistration(sql: Sql, current: RecordVersion, i: number): Promise<void> {
  const details = current.content.data.details as BirthDetails;
  const identity = birthIdentity(details);
  await sql`
    insert into registry_records (record_id, kind, office_code, registration_year, registration_sequence, registration_number, current_version, birth_identity, birth_identity_pinfl)
    values (${current.recordId}, 'birth', '2601', 2024, ${i + 1}, ${registrationNumberOf(i)}, ${current.version}, ${identity.byNames}, ${identity.byPinfl})`;
  await insertPeople(sql, birthPeople(details).map((p) => ({ ...p, recordId: current.recordId })));
  await sql`
    insert into audit_trail (method, route, path, record_id, status)
    values ('POST', '/v1/births', '/v1/births', ${current.recordId}, 201)`;
}

/** Seals every pending version into batches of {@link BATCH_SIZE} and anchors each on the chain. */
export async function anchorPending(env: TestEnvironment, options: { anchor?: boolean } = {}): Promise<SealedBatch[]> {
  const connection = new ChainConnection(env.config.chain.rpcUrl);
  try {
    const provider = await connection.provider();
    const signer = new Wallet(env.anchorPrivateKey, provider);
    const contract = registryAnchorAt(env.contractAddress, signer);
    const chainId = (await provider.getNetwork()).chainId.toString();
    const sealed: SealedBatch[] = [];
    for (let batch = await sealNextBatch(env.sql, BATCH_SIZE); batch; batch = await sealNextBatch(env.sql, BATCH_SIZE)) {
      sealed.push(batch);
      if (options.anchor === false) continue;
      const sent = await contract.getFunction('anchor')(batch.id, batch.root, batch.leafCount);
      // Polled by hand: ethers' wait() subscribes to blocks, whose polling outlives the provider.
      let receipt = await provider.getTransactionReceipt(sent.hash);
      while (!receipt) receipt = await setTimeout(50).then(() => provider.getTransactionReceipt(sent.hash));
      await env.sql`
        insert into batch_anchors (batch_id, chain_id, contract_address, transaction_hash, block_number)
        values (${batch.id}, ${chainId}, ${env.contractAddress}, ${receipt.hash}, ${receipt.blockNumber})`;
    }
    return sealed;
  } finally {
    connection.destroy();
  }
}

/** Runs `change` with the append-only triggers of `tables` disabled, as an attacker with database rights. */
export async function behindTheApplication(sql: Sql, tables: string[], change: (sql: Sql) => Promise<unknown>): Promise<void> {
  for (const t of tables) await sql.unsafe(`alter table ${t} disable trigger user`);
  try {
    await change(sql);
  } finally {
    for (const t of tables) await sql.unsafe(`alter table ${t} enable trigger user`);
  }
}

/** The engine, as `crvs audit` runs it, against the test environment. */
export async function auditOf(env: TestEnvironment, options: Partial<AuditOptions> = {}, config: Config = env.config): Promise<AuditResult> {
  const sql = await connectAuditDatabase(config);
  const chain = await openAnchorReader(env.config.chain.rpcUrl, contractAddress(env.config));
  try {
    return await runAudit({ sql, chain, store: env.store }, { maxPendingAgeMs: 3_600_000, workers: 1, ...options });
  } finally {
    chain.close();
    await sql.end({ timeout: 5 });
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real `crvs` in a child process, configured like production by the test environment's variables. */
export async function crvs(env: TestEnvironment, args: string[], extra: Record<string, string> = {}): Promise<CliRun> {
  const node = path.resolve('node_modules/.bin/node');
  try {
    const { stdout, stderr } = await promisify(execFile)(node, ['cli/crvs.mjs', ...args], { env: { ...process.env, ...env.env, ...extra } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
