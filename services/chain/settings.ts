/**
 * @module
 * Where the anchor contract is and who signs for it.
 *
 * Against a real chain both come from the environment (`ANCHOR_CONTRACT_ADDRESS`,
 * `ANCHOR_PRIVATE_KEY`). The embedded default keeps them under `DATA_DIR/chain/`: a key generated
 * on first start (file mode 0600) and the deployment record written when the contract is deployed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Wallet } from 'ethers';
import type { Config } from '../config/env.ts';
import { ConfigError } from '../errors.ts';
import type { Deployment } from './registry-anchor.ts';

export function chainDir(config: Config): string {
  return path.join(config.dataDir, 'chain');
}

const deploymentFile = (config: Config) => path.join(chainDir(config), 'deployment.json');
const keyFile = (config: Config) => path.join(chainDir(config), 'anchor-key');

export function readDeployment(config: Config): Deployment | undefined {
  const file = deploymentFile(config);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Deployment) : undefined;
}

export function writeDeployment(config: Config, deployment: Deployment): void {
  mkdirSync(chainDir(config), { recursive: true });
  writeFileSync(deploymentFile(config), `${JSON.stringify(deployment, null, 2)}\n`);
}

/** The anchor contract's address: `ANCHOR_CONTRACT_ADDRESS`, else the embedded deployment. */
export function contractAddress(config: Config): string {
  const address = config.chain.contractAddress ?? (config.chain.embedded ? readDeployment(config)?.address : undefined);
  if (!address) {
    throw new ConfigError(
      'ANCHOR_CONTRACT_ADDRESS',
      config.chain.embedded ? 'not deployed yet: run `npm start` once' : 'required with CHAIN_RPC_URL: run `crvs chain deploy`',
    );
  }
  return address;
}

/** The anchor worker's private key: `ANCHOR_PRIVATE_KEY`, else the embedded default's own key. */
export function anchorPrivateKey(config: Config, options: { create?: boolean } = {}): string {
  if (config.chain.anchorPrivateKey) return normaliseKey(config.chain.anchorPrivateKey);
  if (!config.chain.embedded) throw new ConfigError('ANCHOR_PRIVATE_KEY', 'required with CHAIN_RPC_URL');
  const file = keyFile(config);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!options.create) throw new ConfigError('ANCHOR_PRIVATE_KEY', 'no embedded key yet: run `npm start` once');
  mkdirSync(chainDir(config), { recursive: true });
  const key = Wallet.createRandom().privateKey;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** The contract admin's key: `CHAIN_ADMIN_PRIVATE_KEY`, else the anchor key. */
export function adminPrivateKey(config: Config): string {
  return config.chain.adminPrivateKey ? normaliseKey(config.chain.adminPrivateKey) : anchorPrivateKey(config);
}

function normaliseKey(key: string): string {
  return key.startsWith('0x') ? key : `0x${key}`;
}
