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
 *   transaction     the bundle's transactionHash is a successful call of the contract, mined in its
 *                   blockNumber, whose BatchAnchored event names this batch id and root
 *
 * Text (the canonical record, the chain id) is compared byte for byte: the commitment covers its
 * exact UTF-8 bytes, so "SARDOR" is not "Sardor" and a Kelvin sign (U+212A) is not a K. Only hex
 * (hashes, addresses) is compared without case, since 0xAB and 0xab are the same bytes and EIP-55
 * mixes case on purpose.
 *
 * A bundle names its own contract; anyone can deploy a look-alike and anchor forged roots on it.
 * Only a contract address the auditor already trusts (the registry publishes it) closes that gap:
 * pass it as `trustedContract`.
 */
import { Contract, isError, type JsonRpcProvider, type Log, type LogDescription, type TransactionReceipt } from 'ethers';
import { ChainConnection } from '../chain/connection.ts';
import { canonicalise, commitmentOf, leafOf, rootFromProof, sameHex, type Hex } from './core.ts';
import type { EvidenceBundle } from './evidence.ts';

/** The contract views the verifier needs, so it runs without the compiled artifacts. */
const REGISTRY_ANCHOR_VIEWS = [
  'function batch(uint256 batchId) view returns (bytes32 root, uint256 leafCount, uint256 anchoredAt)',
  'function verify(uint256 batchId, bytes32 leaf, bytes32[] proof) view returns (bool)',
  'error RegistryAnchorUnknownBatch(uint256 batchId)',
  'event BatchAnchored(uint256 indexed batchId, bytes32 indexed root, uint256 leafCount, address indexed anchorer)',
];

export type StepName = 'canonical' | 'commitment' | 'leaf' | 'inclusion' | 'contract' | 'chain' | 'anchored-root' | 'contract-verify' | 'transaction';

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

type Equality = (expected: string, calculated: string) => boolean;

/** The committed text and decimal ids: byte for byte (see the module note). */
const sameText: Equality = (a, b) => a === b;

function compare(step: StepName, check: string, equal: Equality, expected: string, calculated: string, differs?: string): VerificationStep {
  const ok = equal(expected, calculated);
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
    compare('canonical', 'the record in RFC 8785 canonical form is the committed text', sameText, bundle.canonical, canonical, 'the record differs from the committed text'),
    compare('commitment', 'keccak256(salt ‖ canonical) is the commitment', sameHex, bundle.commitment, commitmentOf(bundle.salt, bundle.canonical)),
    compare('leaf', 'keccak256(keccak256(commitment)) is the leaf', sameHex, bundle.leaf, leafOf(bundle.commitment)),
    compare('inclusion', 'the proof leads from the leaf to the batch root', sameHex, bundle.root, rootFromProof(bundle.leaf, bundle.proof)),
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
    steps.push(compare('contract', 'the bundle names the trusted registry contract', sameHex, options.trustedContract!, bundle.contractAddress));
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
const TRANSACTION = "the bundle's transaction, in the bundle's block, anchored this batch and root on the contract";

/** The chain steps in order: those not reached are reported `not-run`, with the reason. */
const CHAIN_STEPS = [
  ['chain', CHAIN],
  ['anchored-root', ANCHORED],
  ['contract-verify', VERIFY],
  ['transaction', TRANSACTION],
] as const satisfies readonly (readonly [StepName, string])[];

function notReached(done: VerificationStep[], reason: string): VerificationStep[] {
  return [...done, ...CHAIN_STEPS.slice(done.length).map(([step, check]) => notRun(step, check, reason))];
}

async function checkOnChain(bundle: EvidenceBundle, rpcUrl: string): Promise<{ steps: VerificationStep[]; unverifiable?: string }> {
  const connection = new ChainConnection(rpcUrl);
  try {
    const provider = await connection.provider().catch((error: Error) => {
      throw new Unreachable(error.message);
    });
    const chainStep = compare('chain', CHAIN, sameText, bundle.chainId, (await provider.getNetwork()).chainId.toString());
    if (chainStep.status === 'failed') {
      const reason = `the RPC endpoint serves chain ${chainStep.calculated}, the bundle names chain ${bundle.chainId}`;
      return { steps: notReached([chainStep], reason), unverifiable: reason };
    }
    if ((await provider.getCode(bundle.contractAddress)) === '0x') {
      const reason = `no contract at ${bundle.contractAddress} on chain ${bundle.chainId}`;
      return { steps: notReached([chainStep], reason), unverifiable: reason };
    }
    const contract = new Contract(bundle.contractAddress, REGISTRY_ANCHOR_VIEWS, provider);
    const anchored = await anchoredBatch(contract, bundle.batchId);
    if (!anchored) {
      const detail = `batch ${bundle.batchId} was never anchored on ${bundle.contractAddress}`;
      return { steps: notReached([chainStep, { step: 'anchored-root', status: 'failed', check: ANCHORED, detail }], detail) };
    }
    return { steps: [chainStep, anchoredRootStep(anchored, bundle), await contractVerifyStep(contract, bundle), await transactionStep(provider, contract, bundle)] };
  } catch (error) {
    const message = error instanceof Unreachable ? error.message : `the chain at ${rpcUrl} failed: ${(error as Error).message.split('\n')[0]}`;
    return { steps: notReached([], message), unverifiable: message };
  } finally {
    connection.destroy();
  }
}

/** The batch's root and leaf count as the contract holds them; null when it never anchored the batch. */
async function anchoredBatch(contract: Contract, batchId: number): Promise<[string, bigint] | null> {
  try {
    return (await contract.getFunction('batch')(batchId)) as [string, bigint];
  } catch (error) {
    if (isError(error, 'CALL_EXCEPTION') && error.revert?.name === 'RegistryAnchorUnknownBatch') return null;
    throw error;
  }
}

function anchoredRootStep([root, leafCount]: [string, bigint], bundle: EvidenceBundle): VerificationStep {
  const step = compare('anchored-root', ANCHORED, sameHex, root, rootFromProof(bundle.leaf, bundle.proof));
  if (step.status === 'passed' && Number(leafCount) !== bundle.leafCount) {
    Object.assign(step, { status: 'failed', detail: `root equal, but the contract holds ${leafCount} leaves and the bundle says ${bundle.leafCount}` });
  }
  return step;
}

async function contractVerifyStep(contract: Contract, bundle: EvidenceBundle): Promise<VerificationStep> {
  const accepted = (await contract.getFunction('verify')(bundle.batchId, bundle.leaf as Hex, bundle.proof)) as boolean;
  return { step: 'contract-verify', status: accepted ? 'passed' : 'failed', check: VERIFY, detail: accepted ? 'true' : 'false' };
}

/**
 * The transaction and block the bundle cites, checked against the chain's receipt: the steps
 * before read the contract's state only, so without this a bundle could name any hash and block
 * and be reported genuine with them.
 */
async function transactionStep(provider: JsonRpcProvider, contract: Contract, bundle: EvidenceBundle): Promise<VerificationStep> {
  const receipt = await provider.getTransactionReceipt(bundle.transactionHash);
  const problem = receiptProblem(receipt, contract, bundle);
  if (problem) return { step: 'transaction', status: 'failed', check: TRANSACTION, ...problem };
  return { step: 'transaction', status: 'passed', check: TRANSACTION, detail: `tx ${bundle.transactionHash} in block ${bundle.blockNumber}` };
}

type Problem = Pick<VerificationStep, 'detail' | 'expected' | 'calculated'>;

/** What makes the receipt no anchoring of the bundle's batch, naming the bundle's field at fault; undefined when nothing does. */
function receiptProblem(receipt: TransactionReceipt | null, contract: Contract, bundle: EvidenceBundle): Problem | undefined {
  const tx = bundle.transactionHash;
  if (!receipt) return { detail: `transactionHash: no transaction ${tx} on chain ${bundle.chainId}` };
  if (receipt.status !== 1) return { detail: `transactionHash: transaction ${tx} reverted` };
  if (!sameHex(bundle.contractAddress, receipt.to ?? '')) {
    const to = receipt.to ?? 'no address (it deployed a contract)';
    return { detail: `transactionHash: transaction ${tx} was sent to ${to}, not to the contract ${bundle.contractAddress}`, expected: bundle.contractAddress, calculated: to };
  }
  if (receipt.blockNumber !== bundle.blockNumber) {
    const detail = `blockNumber: transaction ${tx} is in block ${receipt.blockNumber}, the bundle says block ${bundle.blockNumber}`;
    return { detail, expected: String(bundle.blockNumber), calculated: String(receipt.blockNumber) };
  }
  if (!anchorsBatch(receipt, contract, bundle)) {
    return { detail: `transactionHash: transaction ${tx} emitted no BatchAnchored(${bundle.batchId}, ${bundle.root}) from ${bundle.contractAddress}` };
  }
  return undefined;
}

/** Whether the receipt carries the contract's own BatchAnchored event for the bundle's batch id and root. */
function anchorsBatch(receipt: TransactionReceipt, contract: Contract, bundle: EvidenceBundle): boolean {
  return receipt.logs.some((log) => {
    // A look-alike contract may emit the same topic from elsewhere in the transaction: only the contract's own logs count.
    if (!sameHex(log.address, bundle.contractAddress)) return false;
    const event = parsedLog(contract, log);
    return event?.name === 'BatchAnchored' && event.args.batchId === BigInt(bundle.batchId) && sameHex(event.args.root as string, bundle.root);
  });
}

/** The decoded log, or null when it is not one of the contract's events (or its data does not decode as one). */
function parsedLog(contract: Contract, log: Log): LogDescription | null {
  try {
    return contract.interface.parseLog(log);
  } catch {
    return null;
  }
}

class Unreachable extends Error {}
