import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { commit, fromHex, leafOf } from '../ledger/core.ts';
import { appendRecordVersion } from '../ledger/record-versions.ts';
import { putObject } from '../objectstore/client.ts';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { anchorPending, auditOf, behindTheApplication, buildLedger, registrationNumberOf, type TestLedger } from './test-ledger.ts';

// Each test tampers with its own freshly built ledger (own database, bucket and contract).
let env: TestEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function freshLedger(): Promise<[TestEnvironment, TestLedger]> {
  env = await useTestEnvironment();
  return [env, await buildLedger(env)];
}

describe('crvs audit engine', () => {
  it('finds nothing wrong in an untouched ledger, and verifies every leaf against the chain', async () => {
    const [env] = await freshLedger();
    const result = await auditOf(env, { fixity: true, people: true });
    expect(result.findings).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary).toMatchObject({ recordVersions: 7, batchesAnchored: 3, batchesVerified: 3, leavesVerified: 7 });
    expect(result.summary.fixity).toEqual({ mode: 'all', committedObjects: 4, checked: 4 });
  });

  it('reports a field changed with SQL as content-changed, naming the record, its batch and position', async () => {
    const [env, ledger] = await freshLedger();
    const target = ledger.births[1]!;
    await behindTheApplication(env.sql, ['record_versions'], (sql) =>
      sql`update record_versions set content = jsonb_set(content, '{data,details,child,givenName}', '"Bekzoda"') where id = ${target.id}`,
    );
    const result = await auditOf(env);
    expect(result.ok).toBe(false);
    expect(result.findings).toContainEqual(
      expect.objectContaining({ kind: 'content-changed', versionId: String(target.id), recordId: target.recordId, batchId: 1, position: 1 }),
    );
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'root-mismatch', batchId: 1 }));
  });

  it('pinpoints a change even when the attacker also recomputed the stored commitment and leaf', async () => {
    const [env, ledger] = await freshLedger();
    const target = ledger.births[2]!;
    const forged = commit({ ...target.content, data: { ...target.content.data, office: 'Samarqand FHDYO' } }, target.salt);
    await behindTheApplication(env.sql, ['record_versions'], (sql) =>
      sql`update record_versions set content = ${sql.json(JSON.parse(forged.canonical))}, commitment = ${fromHex(forged.commitment)}, leaf = ${fromHex(forged.leaf)}
          where id = ${target.id}`,
    );
    const result = await auditOf(env);
    expect(result.findings.map((f) => [f.kind, f.versionId ?? null, f.batchId])).toEqual([
      ['content-changed', String(target.id), 1],
      ['root-mismatch', null, 1],
    ]);
  });

  it('reports a deleted record version as record-missing at its batch and position, and the short count', async () => {
    const [env, ledger] = await freshLedger();
    const target = ledger.births[3]!; // batch 2, position 0; no correction names it
    await behindTheApplication(env.sql, ['record_versions', 'batch_leaves'], async (sql) => {
      await sql`delete from registry_people where record_id = ${target.recordId}`;
      await sql`delete from registry_records where record_id = ${target.recordId}`;
      await sql`delete from batch_leaves where version_id = ${target.id}`;
      await sql`delete from record_versions where id = ${target.id}`;
    });
    const result = await auditOf(env);
    expect(result.findings.map((f) => [f.kind, f.batchId, f.position])).toEqual([
      ['record-missing', 2, 0],
      ['count-mismatch', 2, undefined],
      ['ledger-record-missing', undefined, undefined],
    ]);
  });

  it('reports a row slipped into a batch with a forged leaf and proof as in no anchored batch', async () => {
    const [env] = await freshLedger();
    const ghost = crypto.randomUUID();
    const forged = commit({ schema: 'crvs/record-version/v1', recordId: ghost, version: 1, kind: 'birth', previousCommitment: null, data: { child: { givenName: 'Ghost' } } });
    const [stolen] = await env.sql<{ proof: Buffer }[]>`select proof from batch_leaves where batch_id = 1 and position = 0`;
    let versionId = 0n;
    await behindTheApplication(env.sql, ['record_versions', 'batch_leaves'], async (sql) => {
      const [row] = await sql<{ id: bigint }[]>`
        insert into record_versions (record_id, version, kind, content, salt, commitment, leaf)
        values (${ghost}, 1, 'birth', ${sql.json(JSON.parse(forged.canonical))}, ${fromHex(forged.salt)}, ${fromHex(forged.commitment)}, ${fromHex(forged.leaf)})
        returning id`;
      versionId = row!.id;
      await sql`insert into batch_leaves (batch_id, position, version_id, proof) values (1, 3, ${versionId}, ${stolen!.proof})`;
    });
    const result = await auditOf(env);
    expect(result.findings.map((f) => [f.kind, f.versionId ?? null, f.batchId])).toEqual([
      ['record-not-in-batch', String(versionId), 1],
      ['count-mismatch', null, 1],
    ]);
  });

  it('reports a version taken out of its batch as in no batch', async () => {
    const [env, ledger] = await freshLedger();
    const target = ledger.archive[1]!; // alone in batch 3
    await behindTheApplication(env.sql, ['batch_leaves'], (sql) => sql`delete from batch_leaves where version_id = ${target.id}`);
    const result = await auditOf(env);
    expect(result.findings.map((f) => [f.kind, f.versionId ?? null, f.batchId ?? null])).toEqual([
      ['record-missing', null, 3],
      ['count-mismatch', null, 3],
      ['record-not-in-batch', String(target.id), null],
    ]);
  });

  it('reports a removed batch as batch-missing, and its versions as in no batch', async () => {
    const [env, ledger] = await freshLedger();
    await behindTheApplication(env.sql, ['batches', 'batch_leaves', 'batch_anchors'], async (sql) => {
      await sql`delete from batch_anchors where batch_id = 3`;
      await sql`delete from batch_leaves where batch_id = 3`;
      await sql`delete from batches where id = 3`;
    });
    const result = await auditOf(env);
    expect(result.findings.map((f) => [f.kind, f.batchId ?? null, f.versionId ?? null])).toEqual([
      ['batch-missing', 3, null],
      ['record-not-in-batch', null, String(ledger.archive[1]!.id)],
    ]);
  });

  it('names a version deleted with every database rule switched off, which its batch still lists', async () => {
    const [env, ledger] = await freshLedger();
    const target = ledger.births[1]!;
    // As a superuser would: no triggers, no foreign keys.
    await env.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`delete from record_versions where id = ${target.id}`;
    });
    const result = await auditOf(env);
    expect(result.findings.map((f) => [f.kind, f.batchId, f.position, f.versionId])).toEqual([
      ['record-missing', 1, 1, String(target.id)],
      ['ledger-record-missing', undefined, undefined, undefined],
    ]);
  });

  it('reports a batch row removed with every database rule switched off, and still verifies its leaves', async () => {
    const [env] = await freshLedger();
    await env.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`delete from batches where id = 2`;
    });
    const result = await auditOf(env);
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'batch-missing', batchId: 2, message: expect.stringContaining('3 leaf rows remain') })]);
    expect(result.summary.leavesVerified).toBe(4);
  });

  it('reports a batch recorded as anchored that the chain does not know', async () => {
    const [env] = await freshLedger();
    await appendRecordVersion(env.sql, { kind: 'birth', data: { child: { givenName: 'Nodira' } } });
    const [batch] = await anchorPending(env, { anchor: false });
    await env.sql`
      insert into batch_anchors (batch_id, chain_id, contract_address, transaction_hash, block_number)
      values (${batch!.id}, '31337', ${env.contractAddress}, ${`0x${'ab'.repeat(32)}`}, 1)`;
    const result = await auditOf(env);
    expect(result.findings.map((f) => [f.kind, f.batchId])).toEqual([['batch-unknown-to-chain', 4]]);
  });

  it('reports versions and batches waiting for anchoring longer than the allowed age as unanchored', async () => {
    const [env] = await freshLedger();
    const waiting = await appendRecordVersion(env.sql, { kind: 'birth', data: { child: { givenName: 'Otabek' } } });
    await anchorPending(env, { anchor: false });
    const late = await appendRecordVersion(env.sql, { kind: 'birth', data: { child: { givenName: 'Zarina' } } });
    expect((await auditOf(env)).ok).toBe(true);
    const result = await auditOf(env, { maxPendingAgeMs: 0 });
    expect(result.findings.map((f) => [f.kind, f.batchId ?? null, f.versionId ?? null])).toEqual([
      ['unanchored', 4, null],
      ['unanchored', null, String(late.id)],
    ]);
    expect(waiting.id).toBeLessThan(late.id);
  });

  it('reports a swapped scan as object-changed and a dropped one as object-missing, naming object and version', async () => {
    const [env, ledger] = await freshLedger();
    const [original, ocr] = ledger.archive[0]!.content.data.objects as { key: string; sha256: string }[];
    await putObject(env.store, original!.key, Buffer.from('a different image'));
    await env.store.client.send(new DeleteObjectCommand({ Bucket: env.store.bucket, Key: ocr!.key }));
    const result = await auditOf(env, { fixity: true });
    const versionId = String(ledger.archive[0]!.id);
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'object-missing', objectKey: ocr!.key, versionId }),
      expect.objectContaining({ kind: 'object-changed', objectKey: original!.key, versionId, recordId: ledger.archive[0]!.recordId, expected: original!.sha256 }),
    ]);
  });

  it('checks only the requested number of objects with a sample', async () => {
    const [env] = await freshLedger();
    const result = await auditOf(env, { fixity: true, sample: 1 });
    expect(result.summary.fixity).toEqual({ mode: 'sample', committedObjects: 4, checked: 1 });
  });

  it('gives the same findings hashing in worker threads as in the calling thread', async () => {
    const [env, ledger] = await freshLedger();
    await behindTheApplication(env.sql, ['record_versions'], (sql) =>
      sql`update record_versions set salt = ${fromHex(leafOf(ledger.correction.commitment))} where id = ${ledger.correction.id}`,
    );
    const inThread = await auditOf(env, { workers: 0 });
    const pooled = await auditOf(env, { workers: 2, chunkSize: 2 });
    expect(pooled.findings).toEqual(inThread.findings);
    expect(inThread.findings.map((f) => f.kind)).toEqual(['content-changed', 'root-mismatch']);
  });

  it('reports a correction undone in the registry index, naming the record and its registration number', async () => {
    const [env, ledger] = await freshLedger();
    const corrected = ledger.births[0]!;
    await env.sql`update registry_records set current_version = 1, corrected_at = null where record_id = ${corrected.recordId}`;
    const result = await auditOf(env);
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'current-version-mismatch', recordId: corrected.recordId, registrationNumber: registrationNumberOf(0), expected: 'version 2', actual: 'version 1' }),
    ]);
  });

  it('reports a version moved to another record as identity-mismatch, and the record it left as missing', async () => {
    const [env, ledger] = await freshLedger();
    const [, kept, , moved] = ledger.births;
    await behindTheApplication(env.sql, ['record_versions'], async (sql) => {
      await sql`delete from registry_people where record_id = ${moved!.recordId}`;
      await sql`delete from registry_records where record_id = ${moved!.recordId}`;
      await sql`update record_versions set record_id = ${kept!.recordId}, version = 2, previous_commitment = ${fromHex(kept!.commitment)} where id = ${moved!.id}`;
      await sql`update registry_records set current_version = 2 where record_id = ${kept!.recordId}`;
    });
    const result = await auditOf(env);
    expect(result.findings.map((f) => [f.kind, f.versionId ?? null, f.recordId])).toEqual([
      ['identity-mismatch', String(moved!.id), kept!.recordId],
      ['ledger-record-missing', null, moved!.recordId],
    ]);
  });

  it('reports a version whose previous_commitment no longer names the version before as version-chain-broken', async () => {
    const [env, ledger] = await freshLedger();
    await behindTheApplication(env.sql, ['record_versions'], (sql) =>
      sql`update record_versions set previous_commitment = ${fromHex(ledger.births[1]!.commitment)} where id = ${ledger.correction.id}`,
    );
    const result = await auditOf(env);
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'version-chain-broken', versionId: String(ledger.correction.id), recordId: ledger.correction.recordId })]);
  });

  it('reports a registration removed from the registry index as index-record-missing, with its registration number', async () => {
    const [env, ledger] = await freshLedger();
    await env.sql`delete from registry_people where record_id = ${ledger.births[2]!.recordId}`;
    await env.sql`delete from registry_records where record_id = ${ledger.births[2]!.recordId}`;
    const result = await auditOf(env);
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'index-record-missing', recordId: ledger.births[2]!.recordId, registrationNumber: registrationNumberOf(2) }),
    ]);
  });

  it('reports people renamed or removed in the registry index as registry-index-changed, naming each role and field', async () => {
    const [env, ledger] = await freshLedger();
    const [, second, third] = ledger.births;
    await env.sql`update registry_people set search_name = 'boshqa ayol', pinfl = '41111111111111' where record_id = ${second!.recordId} and role = 'mother'`;
    await env.sql`delete from registry_people where record_id = ${third!.recordId} and role = 'father'`;
    expect((await auditOf(env)).findings).toEqual([]); // the people index is checked when asked for
    const result = await auditOf(env, { people: true });
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'registry-index-changed', recordId: second!.recordId, registrationNumber: registrationNumberOf(1), actual: 'mother (search name, PINFL)' }),
      expect.objectContaining({ kind: 'registry-index-changed', recordId: third!.recordId, registrationNumber: registrationNumberOf(2), actual: 'father (missing)' }),
    ]);
  });

  it('reports a registration number changed in the registry index, under the number the record committed', async () => {
    const [env, ledger] = await freshLedger();
    await env.sql`update registry_records set registration_number = '2601-2024-0000099' where record_id = ${ledger.births[3]!.recordId}`;
    const result = await auditOf(env);
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'registry-index-changed', recordId: ledger.births[3]!.recordId, registrationNumber: registrationNumberOf(3), actual: 'registration number' }),
    ]);
  });

  it('reports a birth identity removed from the registry index, which would let the birth be registered again', async () => {
    const [env, ledger] = await freshLedger();
    await env.sql`update registry_records set birth_identity = null where record_id = ${ledger.births[1]!.recordId}`;
    const result = await auditOf(env, { people: true });
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'registry-index-changed', recordId: ledger.births[1]!.recordId, actual: 'birth identity by names (none, and no other registration holds it)' }),
    ]);
  });

  it("reports a birth's PINFL key rewritten in the registry index, which would let the birth be registered again under the mother's PINFL", async () => {
    const [env, ledger] = await freshLedger();
    await env.sql`update registry_records set birth_identity_pinfl = replace(birth_identity_pinfl, 'pinfl:', 'pinfl:9') where record_id = ${ledger.births[2]!.recordId}`;
    const result = await auditOf(env, { people: true });
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: 'registry-index-changed', recordId: ledger.births[2]!.recordId, actual: "birth identity by the mother's PINFL" }),
    ]);
  });

  it('names the record and registration number of a deleted first version, as the chain confirms them', async () => {
    const [env, ledger] = await freshLedger();
    const first = ledger.births[0]!; // its correction still names its commitment
    await env.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`delete from record_versions where id = ${first.id}`;
    });
    const result = await auditOf(env);
    expect(result.findings).toContainEqual(
      expect.objectContaining({ kind: 'record-missing', versionId: String(first.id), recordId: first.recordId, registrationNumber: registrationNumberOf(0), batchId: 1, position: 0 }),
    );
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'version-chain-broken', versionId: String(ledger.correction.id), registrationNumber: registrationNumberOf(0) }));
  });

  it('reports an archive document whose OCR text was edited as archive-index-changed', async () => {
    const [env, ledger] = await freshLedger();
    const entry = ledger.archive[0]!;
    await env.sql`update archive_documents set ocr_text = 'OCR text of akt-1957-015', search_text = 'akt-1957-015' where id = ${entry.recordId}`;
    const result = await auditOf(env);
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'archive-index-changed', recordId: entry.recordId, actual: 'ocr_text' })]);
  });

  it('reports an archive document whose fields were edited as archive-index-changed', async () => {
    const [env, ledger] = await freshLedger();
    const entry = ledger.archive[1]!;
    await env.sql`update archive_documents set fields = jsonb_set(fields, '{child,givenName,value}', '"Gulnoza"') where id = ${entry.recordId}`;
    const result = await auditOf(env);
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'archive-index-changed', recordId: entry.recordId, actual: 'fields' })]);
  });
});
