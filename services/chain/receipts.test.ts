/**
 * Waiting for a transaction's receipt, against an Anvil node of this file's own (it is stopped by
 * the last test).
 */
import { Wallet, hexlify, parseEther, randomBytes, toBeHex } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tests/support/ports.ts';
import { startAnvil } from '../embedded/chain.ts';
import { ChainConnection, rpcCall } from './connection.ts';
import { minedReceipt, succeeded } from './receipts.ts';

let anvil: Awaited<ReturnType<typeof startAnvil>>;
let connection: ChainConnection;

beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort() });
  connection = new ChainConnection(anvil.rpcUrl);
});

afterAll(async () => {
  connection?.destroy();
  await anvil?.stop();
});

const neverSent = () => hexlify(randomBytes(32));

describe('waiting for a transaction to be mined', () => {
  it('answers the receipt of a transaction once the node has mined it', async () => {
    const wallet = Wallet.createRandom();
    await rpcCall(anvil.rpcUrl, 'anvil_setBalance', [wallet.address, toBeHex(parseEther('1'))]);
    const sent = await wallet.connect(await connection.provider()).sendTransaction({ to: wallet.address, value: 0 });
    const receipt = await succeeded(sent);
    expect(receipt.hash).toBe(sent.hash);
    expect(receipt.status).toBe(1);
  });

  it('gives up as service-unavailable when the transaction is not mined in time', async () => {
    await expect(minedReceipt(await connection.provider(), neverSent(), { timeoutMs: 300, pollMs: 50 })).rejects.toMatchObject({
      code: 'service-unavailable',
      message: expect.stringMatching(/not mined yet/),
    });
  });

  it('stops waiting as soon as it is told to', async () => {
    const started = Date.now();
    await expect(minedReceipt(await connection.provider(), neverSent(), { pollMs: 50, shouldStop: () => Date.now() - started > 100 })).rejects.toMatchObject({
      code: 'service-unavailable',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  // ethers' own wait (provider.waitForTransaction) goes on waiting here, seconds after the node stopped.
  it('fails the wait, and nothing else, when the node stops while it waits', async () => {
    const waiting = minedReceipt(await connection.provider(), neverSent(), { pollMs: 50 });
    const outcome = waiting.then(
      () => 'mined',
      () => 'failed',
    );
    await anvil.stop();
    expect(await outcome).toBe('failed');
  });
});
