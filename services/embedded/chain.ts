/**
 * @module
 * The embedded chain: an Anvil node (from the `@foundry-rs/anvil` npm package) on loopback whose
 * state is kept in `DATA_DIR/chain/anvil-state.json`, so what was anchored before a restart still
 * verifies after it (Hardhat's node keeps no state across restarts). Anvil writes the state every
 * second and on a clean stop. On first start the RegistryAnchor contract is deployed with the
 * embedded signer as admin and anchorer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Wallet, parseEther, toBeHex } from 'ethers';
import type { Config } from '../config/env.ts';
import { RegistryError, ServiceUnavailableError } from '../errors.ts';
import { ChainConnection, rpcCall } from '../chain/connection.ts';
import { ANCHORER_ROLE, deployRegistryAnchor, registryAnchorAt, type Deployment } from '../chain/registry-anchor.ts';
import { succeeded } from '../chain/receipts.ts';
import { anchorPrivateKey, chainDir, readDeployment, writeDeployment } from '../chain/settings.ts';

const EMBEDDED_CHAIN_ID = 31337;

export interface EmbeddedChain {
  rpcUrl: string;
  deployment: Deployment;
  stop(): Promise<void>;
}

/** Path of the Anvil binary shipped in the platform package of `@foundry-rs/anvil`. */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil');
  } catch {
    throw new RegistryError('config-invalid', `the Anvil binary for this platform (${pkg}) is not installed: run npm ci`);
  }
}

export interface AnvilOptions {
  port: number;
  stateFile?: string;
}

/** Starts an Anvil node and waits until it answers JSON-RPC. */
export async function startAnvil(options: AnvilOptions): Promise<{ rpcUrl: string; process: ChildProcess; stop(): Promise<void> }> {
  const args = ['--host', '127.0.0.1', '--port', String(options.port), '--chain-id', String(EMBEDDED_CHAIN_ID), '--silent'];
  if (options.stateFile) args.push('--state', options.stateFile, '--state-interval', '1');
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const rpcUrl = `http://127.0.0.1:${options.port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT'); // Anvil writes its state file on SIGINT.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    try {
      await rpcCall(rpcUrl, 'eth_chainId');
      return { rpcUrl, process: child, stop };
    } catch {
      await sleep(100);
    }
  }
  await stop();
  throw new ServiceUnavailableError('embedded chain', `Anvil did not start on port ${options.port}: ${stderr.trim() || 'no answer'}`);
}

export async function startEmbeddedChain(config: Config): Promise<EmbeddedChain> {
  mkdirSync(chainDir(config), { recursive: true });
  const anvil = await startAnvil({ port: config.chain.embeddedPort, stateFile: path.join(chainDir(config), 'anvil-state.json') });
  try {
    const deployment = await ensureDeployment(config, anvil.rpcUrl);
    return { rpcUrl: anvil.rpcUrl, deployment, stop: anvil.stop };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

/** Deploys the contract on first start; afterwards checks that it is still there. */
async function ensureDeployment(config: Config, rpcUrl: string): Promise<Deployment> {
  const connection = new ChainConnection(rpcUrl);
  try {
    const provider = await connection.provider();
    const signer = new Wallet(anchorPrivateKey(config, { create: true }), provider);
    await rpcCall(rpcUrl, 'anvil_setBalance', [signer.address, toBeHex(parseEther('1000'))]);
    const known = readDeployment(config);
    if (known) {
      if ((await provider.getCode(known.address)) === '0x') {
        throw new RegistryError(
          'integrity-failure',
          `the embedded chain lost the contract at ${known.address} (chain state in ${chainDir(config)} was removed?); ` +
            'anchored batches can no longer be verified: restore the state file or start with a new DATA_DIR',
        );
      }
      return known;
    }
    const deployment = await deployRegistryAnchor(signer);
    const contract = registryAnchorAt(deployment.address, signer);
    await succeeded(await contract.getFunction('grantRole')(ANCHORER_ROLE, signer.address));
    writeDeployment(config, deployment);
    return deployment;
  } finally {
    connection.destroy();
  }
}
