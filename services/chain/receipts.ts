/**
 * @module
 * Waiting for a transaction to be mined, by asking for its receipt until the node has one.
 *
 * Not `TransactionResponse.wait()`: ethers v6 waits by subscribing to new blocks, and its polling
 * subscribers start requests that nobody awaits. Destroying a provider while one of those requests
 * was queued ended in unhandled rejections ("provider destroyed; cancelled request", seen in
 * cli/commands/chain.test.ts), which end a Node process; and a wait whose node stopped, or whose
 * provider was destroyed, never settles (tried: still waiting seconds later). Here every request
 * is awaited by the caller, so a failure is an ordinary error of the call that waited.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider, TransactionReceipt, TransactionResponse } from 'ethers';
import { RegistryError, ServiceUnavailableError } from '../errors.ts';

export interface ReceiptWait {
  /** Give up after this long (default 120 s: a permissioned chain's block period is seconds). */
  timeoutMs?: number;
  /** Time between two requests (default 250 ms; Anvil mines at once, Besu every block period). */
  pollMs?: number;
  /** Asked between two requests; true gives up early, as when the process is stopping. */
  shouldStop?: () => boolean;
}

/**
 * The receipt of `transactionHash` once mined, whatever its status: the caller decides what a
 * revert means. Throws {@link ServiceUnavailableError} if it is not mined in time.
 */
export async function minedReceipt(provider: Provider, transactionHash: string, wait: ReceiptWait = {}): Promise<TransactionReceipt> {
  const { timeoutMs = 120_000, pollMs = 250, shouldStop = () => false } = wait;
  const started = Date.now();
  for (;;) {
    const receipt = await provider.getTransactionReceipt(transactionHash);
    if (receipt) return receipt;
    if (Date.now() - started > timeoutMs || shouldStop()) {
      // Not mined yet is not refused: the node may still include it, so the caller must look again, not resend.
      throw new ServiceUnavailableError('chain', `transaction ${transactionHash} not mined yet after ${Math.round((Date.now() - started) / 1000)} s; it may still be mined, so look it up before sending it again`);
    }
    await sleep(pollMs);
  }
}

/** Waits for a sent transaction to be mined and to have succeeded; a revert is a {@link RegistryError} `conflict`. */
export async function succeeded(tx: TransactionResponse, wait?: ReceiptWait): Promise<TransactionReceipt> {
  const receipt = await minedReceipt(tx.provider, tx.hash, wait);
  if (receipt.status !== 1) throw new RegistryError('conflict', `transaction ${tx.hash} reverted`);
  return receipt;
}
