/**
 * @module
 * Administration of the RegistryAnchor contract: deploying it, granting and revoking the anchorer
 * role, and reading its state for an operator. Plain I/O over an ethers signer or provider; the
 * `crvs chain` commands wrap these (`cli/commands/chain.ts`).
 *
 * Roles follow OpenZeppelin AccessControl: only an account holding `DEFAULT_ADMIN_ROLE` grants or
 * revokes `ANCHORER_ROLE`. We check that before sending, so an operator with the wrong key reads
 * which account lacks the role instead of a decoded revert.
 */
import { formatEther, getAddress, type Provider, type Signer } from 'ethers';
import { ConfigError, RegistryError } from '../errors.ts';
import { ANCHORER_ROLE, DEFAULT_ADMIN_ROLE, deployRegistryAnchor, registryAnchorAt, type Deployment } from './registry-anchor.ts';
import { succeeded } from './receipts.ts';

/** A grant or revocation of `ANCHORER_ROLE`; without a transaction when the role was already so. */
export interface RoleChange {
  account: string;
  anchorer: boolean;
  changed: boolean;
  transactionHash?: string;
  blockNumber?: number;
}

export interface DeploymentWithAnchorer extends Deployment {
  /** The anchor signer and its grant; `undefined` when no anchor signer was named. */
  anchorSigner?: RoleChange;
}

/**
 * Deploys RegistryAnchor with `options.admin` (default: the deployer) as admin, then grants
 * `ANCHORER_ROLE` to `options.anchorer` when one is named and the deployer is that admin (another
 * admin must grant it themselves: see `crvs chain grant-anchorer`).
 */
export async function deployWithAnchorer(
  deployer: Signer,
  options: { admin?: string; anchorer?: string } = {},
): Promise<DeploymentWithAnchorer> {
  const deployment = await deployRegistryAnchor(deployer, options.admin);
  if (!options.anchorer) return deployment;
  if (getAddress(deployment.admin) !== getAddress(await deployer.getAddress())) {
    return { ...deployment, anchorSigner: { account: getAddress(options.anchorer), anchorer: false, changed: false } };
  }
  return { ...deployment, anchorSigner: await setAnchorer(deployer, deployment.address, options.anchorer, true) };
}

/** Grants `ANCHORER_ROLE` to `account`, signed by an admin. */
export function grantAnchorer(admin: Signer, contract: string, account: string): Promise<RoleChange> {
  return setAnchorer(admin, contract, account, true);
}

/** Revokes `ANCHORER_ROLE` from `account`, signed by an admin. */
export function revokeAnchorer(admin: Signer, contract: string, account: string): Promise<RoleChange> {
  return setAnchorer(admin, contract, account, false);
}

async function setAnchorer(admin: Signer, contract: string, account: string, anchorer: boolean): Promise<RoleChange> {
  const registry = registryAnchorAt(contract, admin);
  await requireContract(providerOf(admin), contract);
  const adminAddress = await admin.getAddress();
  if (!(await registry.getFunction('hasRole')(DEFAULT_ADMIN_ROLE, adminAddress))) {
    throw new RegistryError('forbidden', `${adminAddress} (the admin key's account) does not hold DEFAULT_ADMIN_ROLE on ${contract}`);
  }
  const target = getAddress(account);
  if ((await registry.getFunction('hasRole')(ANCHORER_ROLE, target)) === anchorer) {
    return { account: target, anchorer, changed: false };
  }
  const tx = await registry.getFunction(anchorer ? 'grantRole' : 'revokeRole')(ANCHORER_ROLE, target);
  const receipt = await succeeded(tx);
  return { account: target, anchorer, changed: true, transactionHash: receipt.hash, blockNumber: receipt.blockNumber };
}

export interface BatchSummary {
  batchId: number;
  root: string;
  leafCount: number;
  /** ISO 8601 time of the block that anchored the batch. */
  anchoredAt: string;
}

export interface SignerStatus {
  address: string;
  anchorer: boolean;
  /** Balance in ether (a permissioned chain with free gas may leave it at 0). */
  balance: string;
}

export interface ChainStatus {
  chainId: string;
  blockNumber: number;
  contractAddress: string;
  /** 0 before the first batch. */
  latestBatchId: number;
  latestBatch: BatchSummary | null;
  signer: SignerStatus | null;
}

/** Reads the contract's latest batch and, when given, the anchor signer's role and balance. */
export async function readChainStatus(provider: Provider, contract: string, signerAddress?: string): Promise<ChainStatus> {
  await requireContract(provider, contract);
  const registry = registryAnchorAt(contract, provider);
  const [network, blockNumber, latest] = await Promise.all([
    provider.getNetwork(),
    provider.getBlockNumber(),
    registry.getFunction('latestBatchId')() as Promise<bigint>,
  ]);
  let latestBatch: BatchSummary | null = null;
  if (latest > 0n) {
    const [root, leafCount, anchoredAt] = (await registry.getFunction('batch')(latest)) as [string, bigint, bigint];
    latestBatch = {
      batchId: Number(latest),
      root,
      leafCount: Number(leafCount),
      anchoredAt: new Date(Number(anchoredAt) * 1000).toISOString(),
    };
  }
  let signer: SignerStatus | null = null;
  if (signerAddress) {
    const address = getAddress(signerAddress);
    const [anchorer, balance] = await Promise.all([
      registry.getFunction('hasRole')(ANCHORER_ROLE, address) as Promise<boolean>,
      provider.getBalance(address),
    ]);
    signer = { address, anchorer, balance: formatEther(balance) };
  }
  return {
    chainId: network.chainId.toString(),
    blockNumber,
    contractAddress: getAddress(contract),
    latestBatchId: Number(latest),
    latestBatch,
    signer,
  };
}

function providerOf(signer: Signer): Provider {
  if (!signer.provider) throw new RegistryError('internal', 'the signer is not connected to a chain');
  return signer.provider;
}

/** Refuses an address without code: calls to it would "succeed" with empty data. */
async function requireContract(provider: Provider, contract: string): Promise<void> {
  if ((await provider.getCode(contract)) === '0x') {
    const { chainId } = await provider.getNetwork();
    throw new ConfigError('ANCHOR_CONTRACT_ADDRESS', `no contract at ${contract} on chain ${chainId}: run \`crvs chain deploy\``);
  }
}
