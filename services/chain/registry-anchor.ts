/**
 * @module
 * The RegistryAnchor contract as the rest of the system sees it: its compiled artifact, a typed
 * handle and deployment. The contract itself is `contracts/RegistryAnchor.sol`.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Contract, ContractFactory, ZeroHash, id, type ContractRunner, type InterfaceAbi, type Signer } from 'ethers';
import { RegistryError } from '../errors.ts';
import { succeeded } from './receipts.ts';

const ARTIFACT = fileURLToPath(new URL('../../artifacts/contracts/RegistryAnchor.sol/RegistryAnchor.json', import.meta.url));

export interface ContractArtifact {
  abi: InterfaceAbi;
  bytecode: string;
}

let cached: ContractArtifact | undefined;

/** The compiled contract; compiled by `npm run build:contracts` (also run by `npm ci` and `npm start`). */
export function registryAnchorArtifact(): ContractArtifact {
  if (cached) return cached;
  if (!existsSync(ARTIFACT)) {
    throw new RegistryError('config-invalid', 'contracts are not compiled: run `npm run build:contracts`');
  }
  const json = JSON.parse(readFileSync(ARTIFACT, 'utf8')) as ContractArtifact;
  cached = { abi: json.abi, bytecode: json.bytecode };
  return cached;
}

export function registryAnchorAt(address: string, runner: ContractRunner): Contract {
  return new Contract(address, registryAnchorArtifact().abi, runner);
}

export interface Deployment {
  address: string;
  chainId: string;
  blockNumber: number;
  transactionHash: string;
  admin: string;
}

/** Deploys RegistryAnchor with `admin` as DEFAULT_ADMIN_ROLE and waits for the receipt. */
export async function deployRegistryAnchor(deployer: Signer, admin?: string): Promise<Deployment> {
  const { abi, bytecode } = registryAnchorArtifact();
  const adminAddress = admin ?? (await deployer.getAddress());
  const contract = await new ContractFactory(abi, bytecode, deployer).deploy(adminAddress);
  const tx = contract.deploymentTransaction();
  if (!tx) throw new RegistryError('service-unavailable', 'the deployment sent no transaction');
  const receipt = await succeeded(tx);
  const network = await deployer.provider!.getNetwork();
  return {
    address: await contract.getAddress(),
    chainId: network.chainId.toString(),
    blockNumber: receipt.blockNumber,
    transactionHash: receipt.hash,
    admin: adminAddress,
  };
}

/** keccak256("ANCHORER_ROLE"), as in the contract. */
export const ANCHORER_ROLE = id('ANCHORER_ROLE');
/** OpenZeppelin AccessControl's admin role. */
export const DEFAULT_ADMIN_ROLE = ZeroHash;
