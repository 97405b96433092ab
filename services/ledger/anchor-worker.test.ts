import { setTimeout as sleep } from 'node:timers/promises';
import { Wallet, parseEther, toBeHex } from 'ethers';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTestContract, useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { ChainConnection, rpcCall } from '../chain/connection.ts';
import { registryAnchorAt } from '../chain/registry-anchor.ts';
import { toHex } from './core.ts';
import { appendRecordVersion, anchoringStatuses } from './record-versions.ts';
import { backoffDelay, startAnchorWorker } from './anchor-worker.ts';
import { anchorWorkerGauges, newAnchorWorkerMetrics } from './anchor-metrics.ts';
import { Registry } from 'prom-client';
import { AnchorChain, ChainMovedError } from './anchoring.ts';

const silent = pino({ level: 'silent' });
let env: TestEnvironment;
let chain: ChainConnection;

beforeAll(async () => {
  env = await useTestEnvironment({ env: { BATCH_MAX_RECORDS: '5', BATCH_MAX_WAIT_MS: '150' } });
  chain = new ChainConnection(env.config.chain.rpcUrl);
});
afterAll(async () => {
  chain.destroy();
  await env.close();
});

const start = () => startAnchorWorker(env.config, env.sql, silent, { metrics: newAnchorWorkerMetrics(), backoff: { initialMs: 50, maxMs: 500 } });

async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

async function allAnchored(): Promise<boolean> {
  const [row] = await env.sql<{ pending: number; unanchored: number }[]>`
    select (select count(*)::int from ledger_pending) as pending,
           (select count(*)::int from batches b where not exists (select 1 from batch_anchors a where a.batch_id = b.id)) as unanchored`;
  return row!.pending === 0 && row!.unanchored === 0;
}

async function contract() {
  return registryAnchorAt(env.contractAddress, await chain.provider());
}

describe('the anchor worker', () => {
  it('anchors a sealed batch and records its transaction, block, chain and contract', async () => {
    const worker = start();
    try {
      const v = await appendRecordVersion(env.sql, { kind: 'birth', data: { child: 'Aziza Karimova' } });
      const status = await until(async () => {
        const s = (await anchoringStatuses(env.sql, [v.id])).get(v.id)!;
        return s.status === 'anchored' && s;
      });
      const [batch] = await env.sql<{ root: Buffer; leaf_count: number }[]>`select root, leaf_count from batches where id = ${status.batchId}`;
      const [root, leafCount] = (await (await contract()).getFunction('batch')(status.batchId)) as [string, bigint];
      expect(root).toBe(toHex(batch!.root));
      expect(Number(leafCount)).toBe(batch!.leaf_count);
      expect(status).toMatchObject({ chainId: '31337', contractAddress: env.contractAddress });
      const receipt = await (await chain.provider()).getTransactionReceipt(status.transactionHash);
      expect(receipt?.blockNumber).toBe(status.blockNumber);
      expect(worker.metrics).toMatchObject({ role: 'anchoring', batchesAnchored: 1, recordsAnchored: 1, lastAnchoredBatchId: status.batchId });
      expect(worker.metrics.lastAnchorLatencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      await worker.stop();
    }
  });

  it('seals as soon as BATCH_MAX_RECORDS versions wait, in batches of at most that many', async () => {
    const worker = start();
    try {
      for (let i = 0; i < 12; i++) await appendRecordVersion(env.sql, { kind: 'birth', data: { i } });
      await until(allAnchored);
      const counts = await env.sql<{ leaf_count: number }[]>`select leaf_count from batches where id > 1 order by id`;
      expect(counts.every((c) => c.leaf_count <= 5)).toBe(true);
      expect(counts.reduce((n, c) => n + c.leaf_count, 0)).toBe(12);
    } finally {
      await worker.stop();
    }
  });

  it('shares one database between two workers: one anchors, one stands by and takes over', async () => {
    const [a, b] = [start(), start()];
    try {
      for (let i = 0; i < 20; i++) {
        await appendRecordVersion(env.sql, { kind: 'marriage', data: { i } });
        if (i % 4 === 0) await sleep(60);
      }
      await until(allAnchored);
      expect([a.metrics.role, b.metrics.role].sort()).toEqual(['anchoring', 'standby']);
      const [leader, standby] = a.metrics.role === 'anchoring' ? [a, b] : [b, a];
      await leader.stop();
      for (let i = 0; i < 3; i++) await appendRecordVersion(env.sql, { kind: 'marriage', data: { after: i } });
      await until(allAnchored);
      expect(standby.metrics.role).toBe('anchoring');
      expect(standby.metrics.batchesAnchored).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const [dupes] = await env.sql<{ n: number }[]>`select (count(*) - count(distinct version_id))::int as n from batch_leaves`;
    expect(dupes!.n).toBe(0);
    const ids = (await env.sql<{ id: bigint }[]>`select id from batches order by id`).map((r) => Number(r.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(Number(await (await contract()).getFunction('latestBatchId')())).toBe(ids.length);
  });

  it('backs off exponentially with jitter, capped', () => {
    const backoff = { initialMs: 500, maxMs: 30_000 };
    for (let attempt = 1; attempt < 12; attempt++) {
      const ceiling = Math.min(30_000, 500 * 2 ** (attempt - 1));
      const delay = backoffDelay(attempt, backoff);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('keeps retrying, saying what to do, while its signer lacks the anchorer role', async () => {
    const outsider = Wallet.createRandom();
    await rpcCall(env.config.chain.rpcUrl, 'anvil_setBalance', [outsider.address, toBeHex(parseEther('1'))]);
    const config = { ...env.config, chain: { ...env.config.chain, anchorPrivateKey: outsider.privateKey } };
    const worker = startAnchorWorker(config, env.sql, silent, { metrics: newAnchorWorkerMetrics(), backoff: { initialMs: 50, maxMs: 200 } });
    try {
      await appendRecordVersion(env.sql, { kind: 'birth', data: { outsider: true } });
      await until(async () => worker.metrics.consecutiveFailures >= 2);
      expect(worker.metrics.lastError).toBe(`the anchor signer ${outsider.address} lacks ANCHORER_ROLE on ${env.contractAddress}: run \`crvs chain grant-anchorer ${outsider.address}\``);
      expect(worker.metrics.batchesAnchored).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it('takes a refusal of an out-of-sequence batch id as "read the contract again"', async () => {
    const anchorChain = new AnchorChain(env.config.chain.rpcUrl, env.contractAddress, env.anchorPrivateKey);
    try {
      const next = (await anchorChain.latestBatchId()) + 1;
      await expect(anchorChain.send(next + 5, toHex(Buffer.alloc(32, 1)), 1)).rejects.toThrow(ChainMovedError);
      await expect(anchorChain.send(next + 5, toHex(Buffer.alloc(32, 1)), 1)).rejects.toThrow(`the contract expects batch ${next}, not ${next + 5}`);
      expect(await anchorChain.batch(next + 5)).toBeNull();
    } finally {
      anchorChain.destroy();
    }
  });

  it('refuses to anchor on a contract that holds none of its batches, naming the contract that does', async () => {
    const other = await deployTestContract(env.config.chain.rpcUrl);
    const config = { ...env.config, chain: { ...env.config.chain, contractAddress: other.contractAddress, anchorPrivateKey: other.anchorPrivateKey } };
    await appendRecordVersion(env.sql, { kind: 'birth', data: { paired: false } });
    const worker = startAnchorWorker(config, env.sql, silent, { metrics: newAnchorWorkerMetrics(), backoff: { initialMs: 50, maxMs: 200 } });
    try {
      const reason = await until(async () => worker.metrics.halted ?? undefined);
      expect(reason.toLowerCase()).toContain(`anchored on contract ${env.contractAddress.toLowerCase()} (chain 31337), none on ${other.contractAddress.toLowerCase()}`);
      expect(reason).toContain('ANCHOR_MOVE_TO_CONTRACT');
      const registry = new Registry();
      anchorWorkerGauges(registry, worker.metrics);
      expect(await registry.metrics()).toMatch(/^crvs_anchor_worker_halted 1$/m);
      const onOther = registryAnchorAt(other.contractAddress, await chain.provider());
      expect(Number(await onOther.getFunction('latestBatchId')())).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it('moves the registry to another contract when ANCHOR_MOVE_TO_CONTRACT names it: every batch anchored again, in order', async () => {
    const other = await deployTestContract(env.config.chain.rpcUrl);
    const chainConfig = { ...env.config.chain, contractAddress: other.contractAddress, anchorPrivateKey: other.anchorPrivateKey, moveToContract: other.contractAddress };
    const worker = startAnchorWorker({ ...env.config, chain: chainConfig }, env.sql, silent, { metrics: newAnchorWorkerMetrics(), backoff: { initialMs: 50, maxMs: 200 } });
    try {
      const onOther = registryAnchorAt(other.contractAddress, await chain.provider());
      await until(async () => (await allAnchored()) && Number(await onOther.getFunction('latestBatchId')()) === (await env.sql`select id from batches`).length);
      const [moved] = await env.sql<{ n: number }[]>`
        select count(distinct batch_id)::int as n from batch_anchorings where lower(contract_address) = lower(${other.contractAddress})`;
      expect(moved!.n).toBe((await env.sql`select id from batches`).length);
      expect(worker.metrics.halted).toBeNull();
    } finally {
      await worker.stop();
    }
  });

  it('refuses to start without an anchor signer', () => {
    const config = { ...env.config, chain: { ...env.config.chain, anchorPrivateKey: undefined } };
    expect(() => startAnchorWorker(config, env.sql, silent)).toThrow(/ANCHOR_PRIVATE_KEY/);
  });
});
