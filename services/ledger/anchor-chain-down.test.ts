/**
 * The anchor worker against a chain of its own (a private Anvil node whose state survives a
 * restart): the chain going down and coming back, rolling back, and disagreeing with the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Wallet, hexlify, randomBytes } from 'ethers';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTestContract, useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { freePort } from '../../tests/support/ports.ts';
import { startAnvil } from '../embedded/chain.ts';
import { ChainConnection, pingChain, rpcCall } from '../chain/connection.ts';
import { registryAnchorAt } from '../chain/registry-anchor.ts';
import { succeeded } from '../chain/receipts.ts';
import { createApp } from '../http/app.ts';
import { appendRecordVersion, anchoringStatuses, type AnchoringStatus, type RecordVersion } from './record-versions.ts';
import { sealNextBatch } from './batches.ts';
import { startAnchorWorker } from './anchor-worker.ts';
import { newAnchorWorkerMetrics } from './anchor-metrics.ts';
import { evidenceBundle } from './evidence.ts';
import { verifyEvidence } from './evidence-verifier.ts';

const silent = pino({ level: 'silent' });
const stateDir = mkdtempSync(path.join(tmpdir(), 'crvs-anvil-'));
const stateFile = path.join(stateDir, 'anvil-state.json');
let port: number;
let anvil: Awaited<ReturnType<typeof startAnvil>>;
let env: TestEnvironment;

beforeAll(async () => {
  port = await freePort();
  anvil = await startAnvil({ port, stateFile });
  const { contractAddress, anchorPrivateKey } = await deployTestContract(anvil.rpcUrl);
  env = await useTestEnvironment({
    chain: false,
    env: { CHAIN_RPC_URL: anvil.rpcUrl, ANCHOR_CONTRACT_ADDRESS: contractAddress, ANCHOR_PRIVATE_KEY: anchorPrivateKey, BATCH_MAX_WAIT_MS: '100' },
  });
});
afterAll(async () => {
  await anvil.stop();
  await env.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const start = () => startAnchorWorker(env.config, env.sql, silent, { metrics: newAnchorWorkerMetrics(), backoff: { initialMs: 50, maxMs: 400 } });

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await sleep(50);
  }
}

const statuses = async (versions: RecordVersion[]) => [...(await anchoringStatuses(env.sql, versions.map((v) => v.id))).values()];
const anchored = (versions: RecordVersion[]) => async () => (await statuses(versions)).every((s) => s.status === 'anchored');

async function withChain<T>(run: (contract: ReturnType<typeof registryAnchorAt>) => Promise<T>): Promise<T> {
  const connection = new ChainConnection(anvil.rpcUrl);
  try {
    return await run(registryAnchorAt(env.config.chain.contractAddress!, new Wallet(env.config.chain.anchorPrivateKey!, await connection.provider())));
  } finally {
    connection.destroy();
  }
}
const txOf = (status: AnchoringStatus | undefined) => (status?.status === 'anchored' ? status.transactionHash : undefined);
const latestOnChain = () => withChain(async (c) => Number(await c.getFunction('latestBatchId')()));

describe('the anchor worker when the chain fails', () => {
  it('keeps registrations pending while the chain is down, reports it not ready, and anchors the backlog when it returns', async () => {
    const worker = start();
    try {
      const first = [await appendRecordVersion(env.sql, { kind: 'birth', data: { before: 'outage' } })];
      await until(anchored(first), 'anchored before the outage');

      await anvil.stop();
      const app = createApp({ logger: silent, readiness: { chain: () => pingChain(anvil.rpcUrl) } });
      const ready = await app.request('/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ unavailable: ['chain'] });

      const backlog: RecordVersion[] = [];
      for (let i = 0; i < 5; i++) backlog.push(await appendRecordVersion(env.sql, { kind: 'birth', data: { during: 'outage', i } }));
      await until(async () => worker.metrics.consecutiveFailures >= 2, 'failed attempts while down');
      expect((await statuses(backlog)).map((s) => s.status)).toEqual(Array(5).fill('pending'));
      expect(worker.metrics.chainReachable).toBe(false);

      anvil = await startAnvil({ port, stateFile });
      await until(anchored(backlog), 'backlog anchored after the chain returned');
      expect((await app.request('/readyz')).status).toBe(200);
      const batches = new Set((await statuses(backlog)).map((s) => (s.status === 'anchored' ? s.batchId : 0)));
      expect(batches.size).toBe(1); // sealed together, not one small batch per retry
      expect(await latestOnChain()).toBe(2);
      expect(worker.metrics).toMatchObject({ chainReachable: true, consecutiveFailures: 0 });
    } finally {
      await worker.stop();
    }
  });

  it('anchors again, in order, the batches a rolled-back chain lost, keeping the first anchoring on record', async () => {
    const worker = start();
    try {
      const snapshot = await rpcCall<string>(anvil.rpcUrl, 'evm_snapshot');
      const lost = [await appendRecordVersion(env.sql, { kind: 'birth', data: { lost: true } })];
      await until(anchored(lost), 'anchored before the rollback');
      const [before] = await statuses(lost);
      await rpcCall(anvil.rpcUrl, 'evm_revert', [snapshot]);
      expect(await latestOnChain()).toBe(2);
      // Another transaction of the signer meanwhile, so the re-anchoring cannot be byte-identical.
      await withChain(async (c) => {
        const signer = c.runner as Wallet;
        await succeeded(await signer.sendTransaction({ to: signer.address, value: 0 }));
      });

      const next = [await appendRecordVersion(env.sql, { kind: 'birth', data: { after: 'rollback' } })];
      await until(anchored(next), 'anchored after the rollback');
      expect(await latestOnChain()).toBe(4);
      const [after] = await statuses(lost);
      expect(after).toMatchObject({ status: 'anchored', batchId: 3 });
      const history = await env.sql<{ transaction_hash: string }[]>`
        select transaction_hash from batch_anchorings where batch_id = 3 order by anchored_at`;
      expect(history.map((h) => h.transaction_hash)).toEqual([txOf(before), txOf(after)]);
      expect(txOf(after)).not.toBe(txOf(before));

      const bundle = await evidenceBundle(env.sql, lost[0]!.id);
      expect(bundle.transactionHash).toBe(txOf(after));
      expect((await verifyEvidence(bundle, anvil.rpcUrl)).verdict).toBe('genuine');
    } finally {
      await worker.stop();
    }
  });

  it('stops anchoring, overwriting nothing, when the chain holds another root for a sealed batch', async () => {
    await appendRecordVersion(env.sql, { kind: 'birth', data: { contested: true } });
    const sealed = (await sealNextBatch(env.sql, 100))!;
    const foreignRoot = hexlify(randomBytes(32));
    await withChain(async (c) => succeeded(await c.getFunction('anchor')(sealed.id, foreignRoot, 1)));

    const worker = start();
    try {
      await until(async () => worker.metrics.halted !== null, 'halted');
      expect(worker.metrics.halted).toMatch(new RegExp(`batch ${sealed.id} on chain differs`));
      await appendRecordVersion(env.sql, { kind: 'birth', data: { after: 'halt' } });
      await sleep(300);
      expect(await latestOnChain()).toBe(sealed.id);
      expect(await withChain(async (c) => ((await c.getFunction('batch')(sealed.id)) as [string])[0])).toBe(foreignRoot);
      const [recorded] = await env.sql`select count(*)::int as n from batch_anchorings where batch_id = ${sealed.id}`;
      expect(recorded!.n).toBe(0);
    } finally {
      await worker.stop();
    }
  });
});
