/**
 * @module
 * The auditor's read-only view of the RegistryAnchor contract: the latest batch id and each
 * batch's root, leaf count and anchoring time. The auditor trusts this and nothing else the
 * system stores; it needs an RPC endpoint and the contract address, never a key.
 */
import { isAddress, isError, type Contract } from 'ethers';
import { ChainConnection } from '../chain/connection.ts';
import { registryAnchorAt } from '../chain/registry-anchor.ts';
import { RegistryError, ServiceUnavailableError } from '../errors.ts';
import type { Hex } from '../ledger/core.ts';

export interface AnchoredBatch {
  id: number;
  root: Hex;
  leafCount: number;
  /** Block timestamp of the anchoring transaction. */
  anchoredAt: Date;
}

export interface AnchorReader {
  chainId: string;
  contractAddress: string;
  latestBatchId(): Promise<number>;
  /** The batch as anchored; null when the contract never anchored it. */
  batch(id: number): Promise<AnchoredBatch | null>;
  /** `verify(batchId, leaf, proof)` evaluated by the contract itself (OpenZeppelin MerkleProof). */
  verifyOnChain(batchId: number, leaf: Hex, proof: readonly Hex[]): Promise<boolean>;
  close(): void;
}

export async function openAnchorReader(rpcUrl: string, contractAddress: string): Promise<AnchorReader> {
  if (!isAddress(contractAddress)) throw new RegistryError('malformed-request', `"${contractAddress}" is not a contract address`, { field: 'contract' });
  const connection = new ChainConnection(rpcUrl);
  try {
    const provider = await connection.provider();
    const chainId = (await provider.getNetwork()).chainId.toString();
    if ((await provider.getCode(contractAddress)) === '0x') {
      throw new RegistryError('config-invalid', `no RegistryAnchor contract at ${contractAddress} on chain ${chainId}`);
    }
    const contract: Contract = registryAnchorAt(contractAddress, provider);
    return {
      chainId,
      contractAddress,
      latestBatchId: async () => Number(await call(() => contract.getFunction('latestBatchId')())),
      batch: async (id) => {
        try {
          const [root, leafCount, anchoredAt] = (await contract.getFunction('batch')(id)) as [string, bigint, bigint];
          return { id, root: root.toLowerCase() as Hex, leafCount: Number(leafCount), anchoredAt: new Date(Number(anchoredAt) * 1000) };
        } catch (error) {
          if (isError(error, 'CALL_EXCEPTION') && error.revert?.name === 'RegistryAnchorUnknownBatch') return null;
          throw unavailable(error);
        }
      },
      verifyOnChain: async (batchId, leaf, proof) => Boolean(await call(() => contract.getFunction('verify')(batchId, leaf, proof))),
      close: () => connection.destroy(),
    };
  } catch (error) {
    connection.destroy();
    throw error instanceof RegistryError ? error : unavailable(error);
  }
}

/** Batches 1..`latest` as the contract anchored them, read `concurrency` at a time. */
export async function readAnchoredBatches(reader: AnchorReader, latest: number, concurrency = 8): Promise<AnchoredBatch[]> {
  const out: AnchoredBatch[] = new Array(latest);
  let next = 1;
  const lane = async () => {
    for (let id = next++; id <= latest; id = next++) {
      const batch = await reader.batch(id);
      // The contract never leaves a gap below latestBatchId; if it answers otherwise, the node is not trustworthy.
      if (!batch) throw new ServiceUnavailableError('chain', `the contract reports latest batch ${latest} but no batch ${id}`);
      out[id - 1] = batch;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, latest) }, lane));
  return out;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw unavailable(error);
  }
}

function unavailable(error: unknown): ServiceUnavailableError {
  return error instanceof ServiceUnavailableError ? error : new ServiceUnavailableError('chain', (error as Error).message.split('\n')[0] ?? 'error', error);
}
