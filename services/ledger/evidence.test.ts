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
import { succeeded } from '../chain/receipts.ts';
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
  for (let i = 0; i < 7; i++) {
    const data = { child: `Child ${i}`, givenName: 'Sardor', father: 'Karimov', sex: 'male', born: '2024-03-0' + i };
    versions.push(await appendRecordVersion(env.sql, { kind: 'birth', data }));
  }
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

/** A RegistryAnchor of a forger's own, on the same chain: what an unpinned verification cannot tell apart. */
async function lookAlike() {
  const { contractAddress, anchorPrivateKey } = await deployTestContract(rpcUrl);
  const connection = new ChainConnection(rpcUrl);
  const contract = registryAnchorAt(contractAddress, new Wallet(anchorPrivateKey, await connection.provider()));
  return {
    address: contractAddress,
    anchor: async (batchId: number, root: string, leafCount: number) => succeeded(await contract.getFunction('anchor')(batchId, root, leafCount)),
    close: () => connection.destroy(),
  };
}
type LookAlike = Awaited<ReturnType<typeof lookAlike>>;

/** A forged record anchored for real as batch 1 of `fake`: only pinning the registry's contract tells it apart. */
async function forgedOn(fake: LookAlike): Promise<EvidenceBundle> {
  const forged = commit({ ...genuine.record, data: { child: 'Forged' } });
  const receipt = await fake.anchor(1, forged.leaf, 1);
  const anchoring = { proof: [], root: forged.leaf, leafCount: 1, batchId: 1, contractAddress: fake.address, transactionHash: receipt.hash as Hex, blockNumber: receipt.blockNumber };
  return { ...genuine, record: JSON.parse(forged.canonical) as Record<string, unknown>, ...forged, ...anchoring };
}

describe('evidence bundles', () => {
  it('gives a self-contained crvs-evidence-v1 bundle that verifies off chain, with OpenZeppelin and with the contract', async () => {
    expect(parseEvidence(JSON.parse(JSON.stringify(genuine)))).toEqual(genuine);
    expect(genuine).toMatchObject({ format: 'crvs-evidence-v1', batchId: 1, leafCount: 7, chainId: '31337', contractAddress: env.contractAddress });
    const result = await verify(genuine);
    expect(result.verdict).toBe('genuine');
    expect(result.steps.map((s) => [s.step, s.status])).toEqual(
      ['canonical', 'commitment', 'leaf', 'inclusion', 'contract', 'chain', 'anchored-root', 'contract-verify', 'transaction'].map((s) => [s, 'passed']),
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

  it.each([
    ['givenName', '"SARDOR" for "Sardor"', 'SARDOR'],
    ['father', 'a Kelvin sign (U+212A) for the K of "Karimov"', '\u212Aarimov'], // lower-cases to a Latin k
    ['sex', '"MALE" for "male"', 'MALE'],
  ])('calls a record whose %s has %s forged', async (field, _what, value) => {
    const result = await verify(tampered((b) => ((b.record.data as Record<string, unknown>)[field] = value)));
    expect(result.verdict).toBe('forged');
    expect(firstFailure(result)).toBe('canonical');
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
    const fake = await lookAlike();
    try {
      const bundle = await forgedOn(fake);
      expect((await verifyEvidence(bundle, rpcUrl)).verdict).toBe('genuine'); // why the registry's address must be pinned
      expect(firstFailure(await verify(bundle))).toBe('contract');
    } finally {
      fake.close();
    }
  });

  it('calls a bundle forged when its transactionHash names no transaction', async () => {
    const result = await verify(tampered((b) => (b.transactionHash = `0x${'11'.repeat(32)}`)));
    expect(result.verdict).toBe('forged');
    expect(result.steps.find((s) => s.step === 'transaction')).toMatchObject({ status: 'failed', detail: `transactionHash: no transaction 0x${'11'.repeat(32)} on chain 31337` });
  });

  it('calls a bundle forged when its blockNumber is not the block of its transaction', async () => {
    const result = await verify(tampered((b) => (b.blockNumber = 99)));
    expect(result.verdict).toBe('forged');
    expect(result.steps.find((s) => s.step === 'transaction')).toMatchObject({
      status: 'failed',
      detail: `blockNumber: transaction ${genuine.transactionHash} is in block ${genuine.blockNumber}, the bundle says block 99`,
      expected: '99',
      calculated: String(genuine.blockNumber),
    });
  });

  it('calls a bundle forged when its transaction was sent to another contract', async () => {
    const other = await lookAlike();
    try {
      const receipt = await other.anchor(1, genuine.root, genuine.leafCount);
      const result = await verify(tampered((b) => Object.assign(b, { transactionHash: receipt.hash, blockNumber: receipt.blockNumber })));
      expect(result.verdict).toBe('forged');
      expect(result.steps.find((s) => s.step === 'transaction')?.detail).toBe(
        `transactionHash: transaction ${receipt.hash} was sent to ${other.address}, not to the contract ${env.contractAddress}`,
      );
    } finally {
      other.close();
    }
  });

  it('calls a bundle forged when its transaction reverted', async () => {
    const connection = new ChainConnection(rpcUrl);
    try {
      const signer = new Wallet(env.anchorPrivateKey, await connection.provider());
      // An explicit gas limit skips the estimate that would refuse the call before sending it.
      const tx = await registryAnchorAt(env.contractAddress, signer).getFunction('anchor')(999, genuine.root, 1, { gasLimit: 200_000 });
      const receipt = (await connection.provider().then((p) => p.waitForTransaction(tx.hash as string)))!;
      expect(receipt.status).toBe(0);
      const result = await verify(tampered((b) => Object.assign(b, { transactionHash: receipt.hash, blockNumber: receipt.blockNumber })));
      expect(result.verdict).toBe('forged');
      expect(result.steps.find((s) => s.step === 'transaction')?.detail).toBe(`transactionHash: transaction ${receipt.hash} reverted`);
    } finally {
      connection.destroy();
    }
  });

  it('calls a bundle forged when its transaction anchored another batch', async () => {
    const fake = await lookAlike();
    try {
      const bundle = await forgedOn(fake);
      const second = await fake.anchor(2, commit({ other: true }).leaf, 1);
      const result = await verifyEvidence({ ...bundle, transactionHash: second.hash as Hex, blockNumber: second.blockNumber }, rpcUrl);
      expect(result.verdict).toBe('forged');
      expect(firstFailure(result)).toBe('transaction');
      expect(result.reason).toBe(`transaction: transactionHash: transaction ${second.hash} emitted no BatchAnchored(1, ${bundle.root}) from ${fake.address}`);
    } finally {
      fake.close();
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

/** Runs `crvs` in the test environment, without the variables named in `unset`. */
async function crvs(args: string[], unset: string[] = []) {
  const variables: Record<string, string | undefined> = { ...process.env, ...env.env };
  for (const name of unset) delete variables[name];
  try {
    const { stdout, stderr } = await run(node, ['cli/crvs.mjs', ...args], { env: variables });
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
    for (const step of ['canonical', 'commitment', 'leaf', 'inclusion', 'contract', 'chain', 'anchored-root', 'contract-verify', 'transaction']) {
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

  it('exits 1 for a bundle whose record differs from the committed text only in case', async () => {
    const shouted = tampered((b) => ((b.record.data as Record<string, unknown>).givenName = 'SARDOR'));
    const { code, stdout } = await crvs(['verify', 'evidence', file('shouted.json', shouted)]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^.*shouted\.json: FORGED OR ALTERED: canonical: the record differs from the committed text$/m);
  });

  it('exits 1 for a bundle naming a transaction and block that did not anchor it', async () => {
    const renamed = tampered((b) => Object.assign(b, { transactionHash: `0x${'11'.repeat(32)}`, blockNumber: 99 }));
    const { code, stdout } = await crvs(['verify', 'evidence', file('renamed.json', renamed)]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/renamed\.json: FORGED OR ALTERED: transaction: transactionHash: no transaction 0x(11){32} on chain 31337/);
    expect(stdout).not.toMatch(/genuine/);
  });

  it('exits 2 with a one-line reason naming --contract for a contract that is not an address', async () => {
    const { code, stdout, stderr } = await crvs(['verify', 'evidence', '--contract', '0x1234', file('genuine.json', genuine)]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('crvs: --contract: "0x1234" is not an address (0x and 40 hex digits, checksummed if mixed-case)\n');
  });

  it('says on the verdict line that a contract taken from the bundle was not pinned', async () => {
    const fake = await lookAlike();
    try {
      const bundle = await forgedOn(fake);
      const { code, stdout } = await crvs(['verify', 'evidence', file('unpinned.json', bundle)], ['ANCHOR_CONTRACT_ADDRESS']);
      expect(code).toBe(0);
      expect(stdout.split('\n')[0]).toMatch(
        new RegExp(`^\\S*unpinned\\.json: genuine on an unpinned contract ${fake.address}: pin the registry's contract with --contract: record `),
      );
    } finally {
      fake.close();
    }
  });

  it('exits 2 when the chain cannot be reached', async () => {
    const { code, stderr } = await crvs(['verify', 'evidence', '--rpc', 'http://127.0.0.1:1', file('genuine.json', genuine)]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^crvs: .*genuine\.json: chain is unreachable/);
  });
});
