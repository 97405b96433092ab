import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { Wallet } from 'ethers';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployTestContract, useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { ChainConnection } from '../chain/connection.ts';
import { registryAnchorAt } from '../chain/registry-anchor.ts';
import { commit, rootFromProof, sealTree, toHex, type Hex } from './core.ts';
import { appendRecordVersion, type RecordVersion } from './record-versions.ts';
import { sealNextBatch } from './batches.ts';
import { startAnchorWorker } from './anchor-worker.ts';
import { newAnchorWorkerMetrics } from './anchor-metrics.ts';
import { EvidenceNotReadyError, evidenceBundle, parseEvidence, type EvidenceBundle } from './evidence.ts';
import { verifyEvidence, type EvidenceVerification } from './evidence-verifier.ts';

const run = promisify(execFile);
const node = path.resolve('node_modules/.bin/node');
const dir = mkdtempSync(path.join(tmpdir(), 'crvs-evidence-'));
let env: TestEnvironment;
let rpcUrl: string;
let versions: RecordVersion[];
let genuine: EvidenceBundle;

beforeAll(async () => {
  env = await useTestEnvironment({ env: { BATCH_MAX_WAIT_MS: '100' } });
  rpcUrl = env.config.chain.rpcUrl;
  versions = [];
  for (let i = 0; i < 7; i++) versions.push(await appendRecordVersion(env.sql, { kind: 'birth', data: { child: `Child ${i}`, born: '2024-03-0' + i } }));
  const worker = startAnchorWorker(env.config, env.sql, pino({ level: 'silent' }), { metrics: newAnchorWorkerMetrics() });
  try {
    for (let tries = 0; ; tries++) {
      const [row] = await env.sql<{ n: number }[]>`select count(*)::int as n from batch_anchors`;
      if (row!.n > 0) break;
      if (tries > 400) throw new Error('not anchored in time');
      await sleep(50);
    }
  } finally {
    await worker.stop();
  }
  genuine = await evidenceBundle(env.sql, versions[3]!.id);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await env.close();
});

const verify = (bundle: EvidenceBundle) => verifyEvidence(bundle, rpcUrl, { trustedContract: env.contractAddress });
const firstFailure = (v: EvidenceVerification) => v.steps.find((s) => s.status === 'failed')?.step;
const tampered = (change: (b: EvidenceBundle) => void): EvidenceBundle => {
  const copy = structuredClone(genuine);
  change(copy);
  return copy;
};

/** The leaves of the genuine bundle's batch, in position order. */
async function batchLeaves(): Promise<Hex[]> {
  const rows = await env.sql<{ leaf: Buffer }[]>`
    select v.leaf from batch_leaves l join record_versions v on v.id = l.version_id where l.batch_id = ${genuine.batchId} order by l.position`;
  return rows.map((r) => toHex(r.leaf));
}

describe('evidence bundles', () => {
  it('gives a self-contained crvs-evidence-v1 bundle that verifies off chain, with OpenZeppelin and with the contract', async () => {
    expect(parseEvidence(JSON.parse(JSON.stringify(genuine)))).toEqual(genuine);
    expect(genuine).toMatchObject({ format: 'crvs-evidence-v1', batchId: 1, leafCount: 7, chainId: '31337', contractAddress: env.contractAddress });
    const result = await verify(genuine);
    expect(result.verdict).toBe('genuine');
    expect(result.steps.map((s) => [s.step, s.status])).toEqual(
      ['canonical', 'commitment', 'leaf', 'inclusion', 'contract', 'chain', 'anchored-root', 'contract-verify'].map((s) => [s, 'passed']),
    );
    expect(StandardMerkleTree.verify(genuine.root, ['bytes32'], [genuine.commitment], genuine.proof)).toBe(true);
    const connection = new ChainConnection(rpcUrl);
    try {
      const contract = registryAnchorAt(env.contractAddress, await connection.provider());
      expect(await contract.getFunction('verify')(genuine.batchId, genuine.leaf, genuine.proof)).toBe(true);
    } finally {
      connection.destroy();
    }
  });

  it('finds the same bundle by commitment', async () => {
    expect(await evidenceBundle(env.sql, versions[3]!.commitment)).toEqual(genuine);
  });

  it('has no evidence yet for a version that is pending or only sealed, and none for an unknown one', async () => {
    const v = await appendRecordVersion(env.sql, { kind: 'birth', data: { late: true } });
    await expect(evidenceBundle(env.sql, v.id)).rejects.toMatchObject({ name: 'EvidenceNotReadyError', anchoring: 'pending' });
    await sealNextBatch(env.sql, 100);
    await expect(evidenceBundle(env.sql, v.id)).rejects.toBeInstanceOf(EvidenceNotReadyError);
    await expect(evidenceBundle(env.sql, v.id)).rejects.toMatchObject({ anchoring: 'sealed' });
    await expect(evidenceBundle(env.sql, 999_999n)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('catches a changed record, however far the forger recomputes', async () => {
    const edit = (b: EvidenceBundle) => ((b.record.data as Record<string, unknown>).child = 'Someone Else');
    expect(firstFailure(await verify(tampered(edit)))).toBe('canonical');
    const recanonicalised = tampered((b) => {
      edit(b);
      b.canonical = commit(b.record, b.salt).canonical;
    });
    expect(firstFailure(await verify(recanonicalised))).toBe('commitment');
    const recommitted = tampered((b) => {
      edit(b);
      Object.assign(b, commit(b.record, b.salt)); // canonical, commitment and leaf, all consistent
    });
    const result = await verify(recommitted);
    expect(result.verdict).toBe('forged');
    expect(result.steps.find((s) => s.step === 'inclusion')).toMatchObject({ status: 'failed', expected: genuine.root, calculated: rootFromProof(recommitted.leaf, genuine.proof) });
  });

  it('catches an inserted record, even with a consistent tree rebuilt around it', async () => {
    const forged = commit({ ...genuine.record, recordId: '00000000-0000-4000-8000-000000000000' });
    const withOthersProof = tampered((b) => Object.assign(b, { record: JSON.parse(forged.canonical), ...forged }));
    expect(firstFailure(await verify(withOthersProof))).toBe('inclusion');

    const leaves = [...(await batchLeaves()), forged.leaf];
    const tree = sealTree(leaves);
    const rebuilt = tampered((b) => Object.assign(b, { record: JSON.parse(forged.canonical), ...forged, proof: tree.proofs.at(-1), root: tree.root, leafCount: leaves.length }));
    const result = await verify(rebuilt);
    expect(firstFailure(result)).toBe('anchored-root');
    expect(result.steps.find((s) => s.step === 'contract-verify')?.status).toBe('failed');
  });

  it('catches a removed record: the proof of a batch rebuilt without it leads to a root never anchored', async () => {
    const leaves = (await batchLeaves()).filter((leaf) => leaf !== versions[5]!.leaf);
    expect(leaves).toHaveLength(6);
    const tree = sealTree(leaves);
    const index = leaves.indexOf(genuine.leaf);
    const rebuilt = tampered((b) => Object.assign(b, { proof: tree.proofs[index], root: tree.root, leafCount: 6 }));
    const result = await verify(rebuilt);
    expect(result.verdict).toBe('forged');
    expect(result.steps.find((s) => s.step === 'anchored-root')).toMatchObject({ status: 'failed', calculated: tree.root });
  });

  it('catches a bundle naming a batch that was never anchored', async () => {
    const result = await verify(tampered((b) => (b.batchId = 999)));
    expect(result.verdict).toBe('forged');
    expect(result.steps.find((s) => s.step === 'anchored-root')).toMatchObject({ status: 'failed', detail: `batch 999 was never anchored on ${env.contractAddress}` });
  });

  it('catches a bundle anchored on a look-alike contract when the registry contract is given', async () => {
    const fake = await deployTestContract(rpcUrl);
    const forged = commit({ ...genuine.record, data: { child: 'Forged' } });
    const connection = new ChainConnection(rpcUrl);
    try {
      const signer = new Wallet(fake.anchorPrivateKey, await connection.provider());
      const receipt = await (await registryAnchorAt(fake.contractAddress, signer).getFunction('anchor')(1, forged.leaf, 1)).wait();
      const bundle = { ...genuine, record: JSON.parse(forged.canonical), ...forged, proof: [], root: forged.leaf, leafCount: 1, batchId: 1, contractAddress: fake.contractAddress, transactionHash: receipt.hash, blockNumber: receipt.blockNumber };
      expect((await verifyEvidence(bundle, rpcUrl)).verdict).toBe('genuine'); // why the registry's address must be pinned
      expect(firstFailure(await verify(bundle))).toBe('contract');
    } finally {
      connection.destroy();
    }
  });

  it('cannot verify against a chain that is down or another chain, and says so', async () => {
    const down = await verifyEvidence(genuine, 'http://127.0.0.1:1');
    expect(down.verdict).toBe('unverifiable');
    expect(down.reason).toMatch(/chain is unreachable/);
    const otherChain = await verify({ ...genuine, chainId: '1' });
    expect(otherChain).toMatchObject({ verdict: 'unverifiable', reason: expect.stringMatching(/serves chain 31337, the bundle names chain 1/) });
  });
});

async function crvs(args: string[]) {
  try {
    const { stdout, stderr } = await run(node, ['cli/crvs.mjs', ...args], { env: { ...process.env, ...env.env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, content: unknown): string {
  const target = path.join(dir, name);
  writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return target;
}

describe('crvs verify evidence', () => {
  it('exits 0 for a genuine bundle, and --explain shows every step', async () => {
    const { code, stdout } = await crvs(['verify', 'evidence', '--explain', file('genuine.json', genuine)]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/genuine\.json: genuine: record .* batch 1, anchored on chain 31337/);
    for (const step of ['canonical', 'commitment', 'leaf', 'inclusion', 'contract', 'chain', 'anchored-root', 'contract-verify']) {
      expect(stdout).toMatch(new RegExp(`✓ ${step} `));
    }
  });

  it('exits 1 when any bundle was altered, naming the failed step with both values', async () => {
    const altered = tampered((b) => (b.proof = [...b.proof].reverse()));
    const { code, stdout } = await crvs(['verify', 'evidence', '--json', file('ok.json', genuine), file('altered.json', altered)]);
    expect(code).toBe(1);
    const out = JSON.parse(stdout) as { results: { verdict: string; steps: { step: string; status: string; expected?: string; calculated?: string }[] }[] };
    expect(out.results.map((r) => r.verdict)).toEqual(['genuine', 'forged']);
    expect(out.results[1]!.steps.find((s) => s.step === 'inclusion')).toMatchObject({ status: 'failed', expected: genuine.root });
  });

  it('exits 2 with a one-line reason for a file that is not an evidence bundle', async () => {
    const { code, stderr } = await crvs(['verify', 'evidence', file('bad.json', { ...genuine, salt: 'xyz' })]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/bad\.json: .*salt: must be 0x followed by 64 hex digits/);
    expect((await crvs(['verify', 'evidence', path.join(dir, 'missing.json')])).code).toBe(2);
  });

  it('exits 2 for a file that is not JSON, saying where on its one line', async () => {
    const { code, stderr } = await crvs(['verify', 'evidence', file('notes.json', 'hello\nworld\n')]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/notes\.json: .*"hello world.*is not valid JSON/);
  });

  it('exits 2 when the chain cannot be reached', async () => {
    const { code, stderr } = await crvs(['verify', 'evidence', '--rpc', 'http://127.0.0.1:1', file('genuine.json', genuine)]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^crvs: .*genuine\.json: chain is unreachable/);
  });
});
