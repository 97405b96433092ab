import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { rootFromProof } from './core.ts';
import { appendRecordVersion, anchoringStatuses, recordHistory } from './record-versions.ts';
import { pendingBacklog, sealNextBatch, splitProof } from './batches.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

describe('ledger storage', () => {
  it('keeps a new record version pending until a batch is sealed', async () => {
    const v = await appendRecordVersion(env.sql, { kind: 'birth', data: { child: 'Aziza' } });
    expect(v.version).toBe(1);
    expect((await anchoringStatuses(env.sql, [v.id])).get(v.id)).toEqual({ status: 'pending' });
  });

  it('links a correction to the commitment of the version before', async () => {
    const v1 = await appendRecordVersion(env.sql, { kind: 'birth', data: { child: 'Aziz' } });
    const v2 = await appendRecordVersion(env.sql, { recordId: v1.recordId, kind: 'birth', data: { child: 'Aziza' }, previous: v1 });
    expect(v2.content.previousCommitment).toBe(v1.commitment);
    expect((await recordHistory(env.sql, v1.recordId)).map((v) => v.version)).toEqual([1, 2]);
  });

  it('refuses a second correction of the same version as a conflict', async () => {
    const v1 = await appendRecordVersion(env.sql, { kind: 'birth', data: { n: 1 } });
    await appendRecordVersion(env.sql, { recordId: v1.recordId, kind: 'birth', data: { n: 2 }, previous: v1 });
    await expect(appendRecordVersion(env.sql, { recordId: v1.recordId, kind: 'birth', data: { n: 3 }, previous: v1 })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('seals every pending version into batch after batch with proofs that lead to the root', async () => {
    for (let i = 0; i < 5; i++) await appendRecordVersion(env.sql, { kind: 'birth', data: { i } });
    const first = await sealNextBatch(env.sql, 4);
    const second = await sealNextBatch(env.sql, 1000);
    expect(first!.leafCount).toBe(4);
    expect(second!.id).toBe(first!.id + 1);
    expect((await pendingBacklog(env.sql)).count).toBe(0);
    expect(await sealNextBatch(env.sql, 1000)).toBeNull();
    const leaves = await env.sql<{ leaf: Buffer; proof: Buffer }[]>`
      select v.leaf, l.proof from batch_leaves l join record_versions v on v.id = l.version_id where l.batch_id = ${second!.id}`;
    for (const l of leaves) expect(rootFromProof(`0x${l.leaf.toString('hex')}`, splitProof(l.proof))).toBe(second!.root);
  });

  it('never seals one version twice when two sealers race', async () => {
    for (let i = 0; i < 50; i++) await appendRecordVersion(env.sql, { kind: 'birth', data: { race: i } });
    const sealed = await Promise.all([sealNextBatch(env.sql, 30), sealNextBatch(env.sql, 30), sealNextBatch(env.sql, 30)]);
    const [dupes] = await env.sql<{ n: bigint }[]>`select count(*) - count(distinct version_id) as n from batch_leaves`;
    expect(Number(dupes!.n)).toBe(0);
    expect(sealed.filter(Boolean).reduce((n, b) => n + b!.leafCount, 0)).toBe(50);
    const ids = (await env.sql<{ id: bigint }[]>`select id from batches order by id`).map((r) => Number(r.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
  });

  it('refuses to update or delete ledger rows', async () => {
    await expect(env.sql`update record_versions set kind = 'x'`).rejects.toThrow(/append-only/);
    await expect(env.sql`delete from batches`).rejects.toThrow(/append-only/);
    await expect(env.sql`truncate batch_leaves cascade`).rejects.toThrow(/append-only/);
  });
});
