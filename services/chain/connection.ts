/**
 * @module
 * JSON-RPC connection to the EVM chain (Besu in production, Anvil embedded and in tests).
 *
 * ethers' `JsonRpcProvider` created while the node is down keeps retrying network detection and
 * never recovers by itself. So we ask the node for its chain id with a plain request first and only
 * then build a provider with a static network; after a failure the next call builds a fresh one.
 */
import { FetchRequest, JsonRpcProvider, Network } from 'ethers';
import { ServiceUnavailableError } from '../errors.ts';

const TIMEOUT_MS = 5_000;

/** One JSON-RPC call with a timeout; throws {@link ServiceUnavailableError} when the node does not answer. */
export async function rpcCall<T>(rpcUrl: string, method: string, params: unknown[] = []): Promise<T> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await res.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(body.error.message);
    return body.result as T;
  } catch (error) {
    throw new ServiceUnavailableError('chain', `${method} at ${rpcUrl}: ${(error as Error).message}`, error);
  }
}

export async function chainId(rpcUrl: string): Promise<bigint> {
  return BigInt(await rpcCall<string>(rpcUrl, 'eth_chainId'));
}

/** A provider that survives the node being down: see the module note. */
export class ChainConnection {
  readonly rpcUrl: string;
  #provider: JsonRpcProvider | undefined;

  constructor(rpcUrl: string) {
    this.rpcUrl = rpcUrl;
  }

  async provider(): Promise<JsonRpcProvider> {
    if (this.#provider) return this.#provider;
    const network = Network.from(await chainId(this.rpcUrl));
    const request = new FetchRequest(this.rpcUrl);
    request.timeout = TIMEOUT_MS * 6;
    this.#provider = new JsonRpcProvider(request, network, { staticNetwork: network, batchMaxCount: 1, cacheTimeout: -1 });
    return this.#provider;
  }

  /** Drops the provider after a failure, so the next call starts afresh. */
  reset(): void {
    this.#provider?.destroy();
    this.#provider = undefined;
  }

  destroy(): void {
    this.reset();
  }
}

export async function pingChain(rpcUrl: string): Promise<void> {
  await rpcCall<string>(rpcUrl, 'eth_blockNumber');
}
