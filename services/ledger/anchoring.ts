/**
 * @module
 * The anchor contract as the anchor worker sees it: the latest batch id, a batch's root and count,
 * the `BatchAnchored` event of a batch, sending `anchor(batchId, root, leafCount)` and waiting for
 * its receipt. Plain I/O over ethers v6; the decisions live in `anchor-worker.ts`.
 *
 * The connection is rebuilt after any failure ({@link AnchorChain.reset}): an ethers provider
 * created while the node was down never recovers by itself (see `services/chain/connection.ts`).
 */
import { getAddress, isError, Wallet, type Contract, type JsonRpcProvider } from 'ethers';
import { ChainConnection } from '../chain/connection.ts';
import { minedReceipt } from '../chain/receipts.ts';
import { registryAnchorAt } from '../chain/registry-anchor.ts';
import { RegistryError, ServiceUnavailableError } from '../errors.ts';
import type { Hex } from './core.ts';

/** How long to wait for an anchor transaction to be mined before re-reading the contract. */
const RECEIPT_TIMEOUT_MS = 120_000;

export interface ChainBatch {
  root: Hex;
  leafCount: number;
}

/** Where and by which transaction a batch was anchored. */
export interface Anchoring {
  chainId: string;
  contractAddress: string;
  transactionHash: string;
  blockNumber: number;
  gasUsed?: bigint;
}

/** The contract refused an anchor because its latest batch moved (another worker, or a retry that did land). */
export class ChainMovedError extends ServiceUnavailableError {
  constructor(reason: string) {
    super('chain', reason);
    this.name = 'ChainMovedError';
  }
}

interface Session {
  provider: JsonRpcProvider;
  signer: Wallet;
  contract: Contract;
  chainId: string;
}

export class AnchorChain {
  /** Checksummed (EIP-55) address of the RegistryAnchor contract. */
  readonly contractAddress: string;
  readonly #connection: ChainConnection;
  readonly #privateKey: string;
  #session: Session | undefined;

  constructor(rpcUrl: string, contractAddress: string, privateKey: string) {
    this.#connection = new ChainConnection(rpcUrl);
    this.contractAddress = getAddress(contractAddress);
    this.#privateKey = privateKey;
  }

  get signerAddress(): string {
    return new Wallet(this.#privateKey).address;
  }

  async #open(): Promise<Session> {
    if (this.#session) return this.#session;
    const provider = await this.#connection.provider();
    const signer = new Wallet(this.#privateKey, provider);
    const contract = registryAnchorAt(this.contractAddress, signer);
    const chainId = (await provider.getNetwork()).chainId.toString();
    if ((await provider.getCode(this.contractAddress)) === '0x') {
      throw new ServiceUnavailableError('chain', `no contract at ${this.contractAddress} on chain ${chainId}`);
    }
    this.#session = { provider, signer, contract, chainId };
    return this.#session;
  }

  async chainId(): Promise<string> {
    return (await this.#open()).chainId;
  }

  async latestBatchId(): Promise<number> {
    const { contract } = await this.#open();
    return Number(await contract.getFunction('latestBatchId')());
  }

  /** A batch's root and count as anchored; null when the contract never anchored it. */
  async batch(batchId: number): Promise<ChainBatch | null> {
    const { contract } = await this.#open();
    try {
      const [root, leafCount] = (await contract.getFunction('batch')(batchId)) as [string, bigint, bigint];
      return { root: root.toLowerCase() as Hex, leafCount: Number(leafCount) };
    } catch (error) {
      if (revertOf(contract, error)?.name === 'RegistryAnchorUnknownBatch') return null;
      throw error;
    }
  }

  /** The transaction that anchored `batchId`, from its `BatchAnchored` event (batch id is indexed). */
  async anchoredEvent(batchId: number): Promise<Anchoring | null> {
    const { contract, chainId } = await this.#open();
    const [event] = await contract.queryFilter(contract.getEvent('BatchAnchored')(batchId), 0, 'latest');
    if (!event) return null;
    return { chainId, contractAddress: this.contractAddress, transactionHash: event.transactionHash, blockNumber: event.blockNumber };
  }

  /**
   * Whether transactions of the signer wait unmined in the node's pool. Deciding while one does
   * would send a second anchor for a batch the first may still anchor (on Besu a block takes
   * seconds; the contract would refuse the second, but it would cost a failed transaction).
   */
  async hasPendingTransactions(): Promise<boolean> {
    const { provider, signer } = await this.#open();
    const [latest, pending] = await Promise.all([
      provider.getTransactionCount(signer.address, 'latest'),
      provider.getTransactionCount(signer.address, 'pending'),
    ]);
    return pending > latest;
  }

  /** Sends `anchor(batchId, root, leafCount)`; returns the transaction hash once the node accepted it. */
  async send(batchId: number, root: Hex, leafCount: number): Promise<string> {
    const { contract } = await this.#open();
    try {
      const tx = await contract.getFunction('anchor')(batchId, root, leafCount);
      return tx.hash as string;
    } catch (error) {
      // Gas estimation runs the call first, so a refusal arrives here, before anything is sent.
      const revert = revertOf(contract, error);
      if (revert?.name === 'RegistryAnchorUnexpectedBatchId') {
        throw new ChainMovedError(`the contract expects batch ${String(revert.args[0])}, not ${batchId}`);
      }
      if (revert?.name === 'AccessControlUnauthorizedAccount') {
        const signer = this.signerAddress;
        throw new RegistryError('forbidden', `the anchor signer ${signer} lacks ANCHORER_ROLE on ${this.contractAddress}: run \`crvs chain grant-anchorer ${signer}\``);
      }
      throw error;
    }
  }

  /** Waits until `transactionHash` is mined; throws if it reverted or did not make it in time. */
  async mined(transactionHash: string, shouldStop: () => boolean = () => false): Promise<Anchoring> {
    const { provider, chainId } = await this.#open();
    const receipt = await minedReceipt(provider, transactionHash, { timeoutMs: RECEIPT_TIMEOUT_MS, shouldStop });
    if (receipt.status !== 1) throw new ChainMovedError(`anchor transaction ${transactionHash} reverted`);
    return { chainId, contractAddress: this.contractAddress, transactionHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
  }

  /** Drops the connection after a failure; the next call starts afresh. */
  reset(): void {
    this.#session = undefined;
    this.#connection.reset();
  }

  destroy(): void {
    this.reset();
  }
}

/**
 * The contract's custom error behind a failed call. ethers decodes it for a static call but not
 * for the gas estimate of a transaction (`unknown custom error`), so decode the revert data here.
 */
function revertOf(contract: Contract, error: unknown): { name: string; args: readonly unknown[] } | null {
  if (!isError(error, 'CALL_EXCEPTION')) return null;
  if (error.revert) return error.revert;
  if (!error.data) return null;
  const parsed = contract.interface.parseError(error.data);
  return parsed ? { name: parsed.name, args: [...parsed.args] } : null;
}
