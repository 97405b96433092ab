/**
 * @module
 * The offline verifier of evidence bundles: needs the bundle and a chain RPC endpoint only.
 *
 * Checks in layers, each one link of the hash chain, as sigstore/rekor's `pkg/verify` does
 * (canonical form, then inclusion, then the anchor), and reports every step so `--explain` can
 * show why a bundle failed, not only that it did. Roots are computed, then compared
 * (transparency-dev `RootFromInclusionProof`), and a mismatch carries both values.
 *
 *   canonical       canonicalise(record) equals canonical                         RFC 8785
 *   commitment      keccak256(salt ‖ UTF-8(canonical)) equals commitment
 *   leaf            keccak256(keccak256(commitment)) equals leaf                  OpenZeppelin standard leaf
 *   inclusion       the proof walked from the leaf (sorted pairs) equals root     OpenZeppelin MerkleProof
 *   contract        the bundle's contract is the one the auditor trusts           (when one is given)
 *   chain           the RPC endpoint serves the bundle's chain id                 EIP-155
 *   anchored-root   the contract's root and count of the batch equal the computed root and the count
 *   contract-verify the contract's own verify(batchId, leaf, proof) answers true
 *
 * A bundle names its own contract; anyone can deploy a look-alike and anchor forged roots on it.
 * Only a contract address the auditor already trusts (the registry publishes it) closes that gap:
 * pass it as `trustedContract`.
 */
import { Contract, getAddress, isError } from 'ethers';
import { ChainConnection } from '../chain/connection.ts';
import { canonicalise, commitmentOf, leafOf, rootFromProof, type Hex } from './core.ts';
import type { EvidenceBundle } from './evidence.ts';

/** The contract views the verifier needs, so it runs without the compiled artifacts. */
const REGISTRY_ANCHOR_VIEWS = [
  'function batch(uint256 batchId) view returns (bytes32 root, uint256 leafCount, uint256 anchoredAt)',
  'function verify(uint256 batchId, bytes32 leaf, bytes32[] proof) view returns (bool)',
  'error RegistryAnchorUnknownBatch(uint256 batchId)',
];

export type StepName = 'canonical' | 'commitment' | 'leaf' | 'inclusion' | 'contract' | 'chain' | 'anchored-root' | 'contract-verify';

export interface VerificationStep {
  step: StepName;
  status: 'passed' | 'failed' | 'not-run';
  /** What the step checks, in words. */
  check: string;
  /** The outcome in words. */
  detail: string;
  expected?: string;
  calculated?: string;
}

/** genuine: every step passed; forged: a step failed; unverifiable: the chain could not be asked. */
export type Verdict = 'genuine' | 'forged' | 'unverifiable';

export interface EvidenceVerification {
  verdict: Verdict;
  /** Why the verdict is not `genuine`, in one line. */
  reason?: string;
  /** Whether the contract address was checked against one the auditor trusts. */
  contractPinned: boolean;
  steps: VerificationStep[];
}

function compare(step: StepName, check: string, expected: string, calculated: string, differs?: string): VerificationStep {
  const ok = expected.toLowerCase() === calculated.toLowerCase();
  const detail = ok ? 'equal' : (differs ?? `expected ${expected}, calculated ${calculated}`);
  return { step, status: ok ? 'passed' : 'failed', check, detail, expected, calculated };
}

/** The steps that need no chain: canonical form, commitment, leaf and inclusion. */
export function checkLocally(bundle: EvidenceBundle): VerificationStep[] {
  let canonical: string;
  try {
    canonical = canonicalise(bundle.record);
  } catch (error) {
    canonical = `(cannot canonicalise: ${(error as Error).message})`;
  }
  return [
    compare('canonical', 'the record in RFC 8785 canonical form is the committed text', bundle.canonical, canonical, 'the record differs from the committed text'),
    compare('commitment', 'keccak256(salt ‖ canonical) is the commitment', bundle.commitment, commitmentOf(bundle.salt, bundle.canonical)),
    compare('leaf', 'keccak256(keccak256(commitment)) is the leaf', bundle.leaf, leafOf(bundle.commitment)),
    compare('inclusion', 'the proof leads from the leaf to the batch root', bundle.root, rootFromProof(bundle.leaf, bundle.proof)),
  ];
}

const notRun = (step: StepName, check: string, detail: string): VerificationStep => ({ step, status: 'not-run', check, detail });

export interface VerifyOptions {
  /** The registry's published contract address; a bundle naming another one fails. */
  trustedContract?: string;
}

/** Verifies a parsed bundle against the chain at `rpcUrl` (see the module note for the steps). */
export async function verifyEvidence(bundle: EvidenceBundle, rpcUrl: string, options: VerifyOptions = {}): Promise<EvidenceVerification> {
  const steps = checkLocally(bundle);
  const pinned = options.trustedContract !== undefined;
  if (pinned) {
    steps.push(compare('contract', 'the bundle names the trusted registry contract', getAddress(options.trustedContract!), getAddress(bundle.contractAddress)));
  }
  const chainSteps = await checkOnChain(bundle, rpcUrl);
  steps.push(...chainSteps.steps);
  const failed = steps.find((s) => s.status === 'failed' && s.step !== 'chain');
  if (failed) return { verdict: 'forged', reason: `${failed.step}: ${failed.detail}`, contractPinned: pinned, steps };
  if (chainSteps.unverifiable) return { verdict: 'unverifiable', reason: chainSteps.unverifiable, contractPinned: pinned, steps };
  return { verdict: 'genuine', contractPinned: pinned, steps };
}

const CHAIN = 'the RPC endpoint serves the chain the batch was anchored on';
const ANCHORED = 'the contract anchored the computed root (and count) as this batch';
const VERIFY = "the contract's verify(batchId, leaf, proof) accepts the leaf";

async function checkOnChain(bundle: EvidenceBundle, rpcUrl: string): Promise<{ steps: VerificationStep[]; unverifiable?: string }> {
  const connection = new ChainConnection(rpcUrl);
  const skipped = (reason: string, from = 0) => {
    const all = [notRun('chain', CHAIN, reason), notRun('anchored-root', ANCHORED, reason), notRun('contract-verify', VERIFY, reason)];
    return { steps: all.slice(from), unverifiable: reason };
  };
  try {
    const provider = await connection.provider().catch((error: Error) => {
      throw new Unreachable(error.message);
    });
    const chainStep = compare('chain', CHAIN, bundle.chainId, (await provider.getNetwork()).chainId.toString());
    if (chainStep.status === 'failed') {
      const reason = `the RPC endpoint serves chain ${chainStep.calculated}, the bundle names chain ${bundle.chainId}`;
      return { steps: [chainStep, ...skipped(reason, 1).steps], unverifiable: reason };
    }
    if ((await provider.getCode(bundle.contractAddress)) === '0x') {
      const reason = `no contract at ${bundle.contractAddress} on chain ${bundle.chainId}`;
      return { steps: [chainStep, ...skipped(reason, 1).steps], unverifiable: reason };
    }
    const contract = new Contract(bundle.contractAddress, REGISTRY_ANCHOR_VIEWS, provider);
    let anchored: [string, bigint];
    try {
      anchored = (await contract.getFunction('batch')(bundle.batchId)) as [string, bigint];
    } catch (error) {
      if (!(isError(error, 'CALL_EXCEPTION') && error.revert?.name === 'RegistryAnchorUnknownBatch')) throw error;
      const detail = `batch ${bundle.batchId} was never anchored on ${bundle.contractAddress}`;
      return { steps: [chainStep, { step: 'anchored-root', status: 'failed', check: ANCHORED, detail }, notRun('contract-verify', VERIFY, detail)] };
    }
    const computed = rootFromProof(bundle.leaf, bundle.proof);
    const rootStep = compare('anchored-root', ANCHORED, anchored[0], computed);
    if (rootStep.status === 'passed' && Number(anchored[1]) !== bundle.leafCount) {
      Object.assign(rootStep, { status: 'failed', detail: `root equal, but the contract holds ${anchored[1]} leaves and the bundle says ${bundle.leafCount}` });
    }
    const accepted = (await contract.getFunction('verify')(bundle.batchId, bundle.leaf as Hex, bundle.proof)) as boolean;
    const verifyStep: VerificationStep = { step: 'contract-verify', status: accepted ? 'passed' : 'failed', check: VERIFY, detail: accepted ? 'true' : 'false' };
    return { steps: [chainStep, rootStep, verifyStep] };
  } catch (error) {
    const message = error instanceof Unreachable ? error.message : `the chain at ${rpcUrl} failed: ${(error as Error).message.split('\n')[0]}`;
    return skipped(message);
  } finally {
    connection.destroy();
  }
}

class Unreachable extends Error {}
