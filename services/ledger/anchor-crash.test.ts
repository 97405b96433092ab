/**
 * Crash safety of the anchor worker, with a real `crvs worker anchor` process killed by SIGKILL at
 * each point of anchoring (the `CRVS_CRASH_AT` fault-injection hook) and then restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { ChainConnection } from '../chain/connection.ts';
import { registryAnchorAt } from '../chain/registry-anchor.ts';
import { toHex } from './core.ts';
import { appendRecordVersion } from './record-versions.ts';
import type { CrashPoint } from './anchor-worker.ts';

const node = path.resolve('node_modules/.bin/node');
let env: TestEnvironment;
let chain: ChainConnection;

beforeAll(async () => {
  env = await useTestEnvironment({ env: { BATCH_MAX_RECORDS: '100', BATCH_MAX_WAIT_MS: '100' } });
  chain = new ChainConnection(env.config.chain.rpcUrl);
});
afterAll(async () => {
  chain.destroy();
  await env.close();
});

function startWorker(extra: Record<string, string> = {}): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null }>; stderr: () => string } {
  const child = spawn(node, ['cli/crvs.mjs', 'worker', 'anchor'], { env: { ...process.env, ...env.env, LOG_LEVEL: 'info', ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

async function registry() {
  return registryAnchorAt(env.contractAddress, await chain.provider());
}

const latestOnChain = async () => Number(await (await registry()).getFunction('latestBatchId')());

async function ledger() {
  const [row] = await env.sql<{ pending: number; batches: number; anchors: number; reanchors: number }[]>`
    select (select count(*)::int from ledger_pending) as pending, (select count(*)::int from batches) as batches,
           (select count(*)::int from batch_anchors) as anchors, (select count(*)::int from batch_reanchors) as reanchors`;
  return row!;
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await sleep(100);
  }
}

/** What must hold after any crash and restart: nothing lost, nothing twice, no gap, chain = database. */
async function expectConsistentLedger(versionCount: number) {
  const state = await ledger();
  expect(state.pending).toBe(0);
  expect(state.reanchors).toBe(0);
  expect(state.anchors).toBe(state.batches);
  const [leaves] = await env.sql<{ n: number; distinct_versions: number }[]>`
    select count(*)::int as n, count(distinct version_id)::int as distinct_versions from batch_leaves`;
  expect(leaves).toEqual({ n: versionCount, distinct_versions: versionCount });
  const batches = await env.sql<{ id: bigint; root: Buffer; transaction_hash: string; block_number: bigint }[]>`
    select b.id, b.root, a.transaction_hash, a.block_number from batches b join batch_anchors a on a.batch_id = b.id order by b.id`;
  expect(batches.map((b) => Number(b.id))).toEqual(batches.map((_, i) => i + 1));
  expect(await latestOnChain()).toBe(batches.length);
  const contract = await registry();
  const events = await contract.queryFilter(contract.getEvent('BatchAnchored'), 0, 'latest');
  expect(events.map((e) => Number((e as { args: unknown[] }).args[0]))).toEqual(batches.map((b) => Number(b.id)));
  for (const b of batches) {
    const [root] = (await contract.getFunction('batch')(b.id)) as [string];
    expect(root).toBe(toHex(b.root));
    const event = events.find((e) => e.transactionHash === b.transaction_hash);
    expect(event?.blockNumber).toBe(Number(b.block_number));
  }
}

let versions = 0;

describe('the anchor worker killed with SIGKILL and restarted', () => {
  const points: { at: CrashPoint; anchoredOnChain: boolean }[] = [
    { at: 'after-seal', anchoredOnChain: false },
    { at: 'after-send', anchoredOnChain: true },
    { at: 'after-mine', anchoredOnChain: true },
    { at: 'before-record', anchoredOnChain: true },
  ];

  it.each(points)('loses no record, anchors no batch twice and skips no id when killed $at', async ({ at, anchoredOnChain }) => {
    const before = await latestOnChain();
    for (let i = 0; i < 3; i++) await appendRecordVersion(env.sql, { kind: 'birth', data: { crash: at, i } });
    versions += 3;

    const crashing = startWorker({ CRVS_CRASH_AT: at });
    expect(await crashing.exited, crashing.stderr()).toEqual({ code: null, signal: 'SIGKILL' });
    const crashed = await ledger();
    expect(crashed.batches).toBe(before + 1); // sealed, durable
    expect(crashed.anchors).toBe(before); // never recorded
    expect(await latestOnChain()).toBe(anchoredOnChain ? before + 1 : before);

    const restarted = startWorker();
    await until(async () => (await ledger()).anchors === before + 1, `batch ${before + 1} recorded after restart\n${restarted.stderr()}`);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toEqual({ code: 0, signal: null });
    if (anchoredOnChain) expect(restarted.stderr()).toMatch(/recorded an anchoring found on chain/);
    await expectConsistentLedger(versions);
  });
});
