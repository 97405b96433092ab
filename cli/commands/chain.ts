/**
 * `crvs chain deploy | grant-anchorer | revoke-anchorer | status`: the RegistryAnchor contract on
 * the chain at `CHAIN_RPC_URL`. The work is in `services/chain/administration.ts`; this file reads
 * the configuration, checks arguments and phrases the result.
 */
import type { Command } from 'commander';
import { Wallet, getAddress, isAddress, type JsonRpcProvider } from 'ethers';
import { loadConfig, type Config } from '../../services/config/env.ts';
import { ConfigError } from '../../services/errors.ts';
import { ChainConnection } from '../../services/chain/connection.ts';
import { adminPrivateKey, anchorPrivateKey, contractAddress } from '../../services/chain/settings.ts';
import {
  deployWithAnchorer,
  grantAnchorer,
  readChainStatus,
  revokeAnchorer,
  type ChainStatus,
  type RoleChange,
} from '../../services/chain/administration.ts';
import { UsageError, action, report } from '../report.ts';

export function registerChain(program: Command): void {
  const chain = program.command('chain').description('the RegistryAnchor contract on the chain at CHAIN_RPC_URL');

  chain
    .command('deploy')
    .description('deploy RegistryAnchor, grant ANCHORER_ROLE to the anchor signer, print ANCHOR_CONTRACT_ADDRESS')
    .option('--admin <address>', 'account given DEFAULT_ADMIN_ROLE (default: the admin key\'s account)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (options: { admin?: string }) => {
        const admin = options.admin === undefined ? undefined : parseAddress(options.admin, '--admin');
        const config = loadConfig();
        return withChain(config, async (provider) => {
          const deployer = adminSigner(config, provider);
          const deployment = await deployWithAnchorer(deployer, { admin, anchorer: anchorSignerAddress(config) });
          const environment = { ANCHOR_CONTRACT_ADDRESS: deployment.address };
          const text = [
            `deployed RegistryAnchor at ${deployment.address} on chain ${deployment.chainId} (block ${deployment.blockNumber}, tx ${deployment.transactionHash})`,
            `admin: ${deployment.admin}`,
            `anchorer: ${describeDeployedAnchorer(deployment.anchorSigner)}`,
            'put this in the environment:',
            `ANCHOR_CONTRACT_ADDRESS=${deployment.address}`,
          ].join('\n');
          return report({ ...deployment, rpcUrl: config.chain.rpcUrl, environment }, text);
        });
      }),
    );

  for (const grant of [true, false]) {
    chain
      .command(grant ? 'grant-anchorer' : 'revoke-anchorer')
      .description(`${grant ? 'grant ANCHORER_ROLE to' : 'revoke ANCHORER_ROLE from'} ADDRESS (signed by the admin key)`)
      .argument('<address>', 'account of an anchor worker signer')
      .option('--json', 'print the result as JSON')
      .action(
        action(async (address: string) => {
          const account = parseAddress(address, 'ADDRESS');
          const config = loadConfig();
          const contract = contractAddress(config);
          return withChain(config, async (provider) => {
            const change = await (grant ? grantAnchorer : revokeAnchorer)(adminSigner(config, provider), contract, account);
            return report({ contractAddress: contract, ...change }, describeRoleChange(change));
          });
        }),
      );
  }

  chain
    .command('status')
    .description('latest anchored batch, and the anchor signer\'s role and balance (exit 1 when it cannot anchor)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async () => {
        const config = loadConfig();
        const contract = contractAddress(config);
        return withChain(config, async (provider) => {
          const status = await readChainStatus(provider, contract, anchorSignerAddress(config));
          return report({ rpcUrl: config.chain.rpcUrl, ...status }, describeStatus(config.chain.rpcUrl, status), status.signer?.anchorer === true);
        });
      }),
    );
}

/** Runs `body` against the configured chain and always lets go of the connection, so the process exits. */
async function withChain<T>(config: Config, body: (provider: JsonRpcProvider) => Promise<T>): Promise<T> {
  const connection = new ChainConnection(config.chain.rpcUrl);
  try {
    return await body(await connection.provider());
  } finally {
    connection.destroy();
  }
}

/** An address argument or option, or a one-line UsageError naming it (exit 2). */
export function parseAddress(value: string, field: string): string {
  if (!isAddress(value)) {
    throw new UsageError(`${field}: ${JSON.stringify(value)} is not an address (0x and 40 hex digits, checksummed if mixed-case)`, field);
  }
  return getAddress(value);
}

function adminSigner(config: Config, provider: JsonRpcProvider): Wallet {
  try {
    return new Wallet(adminPrivateKey(config), provider);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError('CHAIN_ADMIN_PRIVATE_KEY', `needed to sign as the contract admin (or ANCHOR_PRIVATE_KEY): ${error.message}`);
    }
    throw error;
  }
}

/** The anchor worker's signer address, or undefined when no anchor key is configured. */
function anchorSignerAddress(config: Config): string | undefined {
  try {
    return new Wallet(anchorPrivateKey(config)).address;
  } catch (error) {
    if (error instanceof ConfigError) return undefined;
    throw error;
  }
}

function describeDeployedAnchorer(change: RoleChange | undefined): string {
  if (!change) return 'none granted (no ANCHOR_PRIVATE_KEY): run `crvs chain grant-anchorer ADDRESS`';
  if (!change.anchorer) return `${change.account} not granted: the admin must run \`crvs chain grant-anchorer ${change.account}\``;
  return describeRoleChange(change);
}

function describeRoleChange(change: RoleChange): string {
  const role = change.anchorer ? 'holds' : 'does not hold';
  if (!change.changed) return `${change.account} already ${role} ANCHORER_ROLE: nothing sent`;
  return `${change.account} ${role} ANCHORER_ROLE now (tx ${change.transactionHash}, block ${change.blockNumber})`;
}

function describeStatus(rpcUrl: string, status: ChainStatus): string {
  const batch = status.latestBatch;
  const signer = status.signer;
  return [
    `chain:          ${rpcUrl} (chain id ${status.chainId}, block ${status.blockNumber})`,
    `contract:       ${status.contractAddress}`,
    batch
      ? `latest batch:   ${batch.batchId} (root ${batch.root}, ${batch.leafCount} leaves, anchored ${batch.anchoredAt})`
      : 'latest batch:   0 (none anchored yet)',
    signer
      ? `anchor signer:  ${signer.address} (ANCHORER_ROLE: ${signer.anchorer ? 'yes' : 'NO, it cannot anchor'}, balance ${signer.balance} ether)`
      : 'anchor signer:  not configured (ANCHOR_PRIVATE_KEY)',
  ].join('\n');
}
