/**
 * `crvs chain ...` as an operator runs it: the real CLI in a child process against a real Anvil
 * node, with the contract and funded signer that {@link useTestEnvironment} deploys for this file.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wallet, id, type JsonRpcProvider } from 'ethers';
import { ChainConnection } from '../../services/chain/connection.ts';
import { ANCHORER_ROLE, DEFAULT_ADMIN_ROLE, registryAnchorAt } from '../../services/chain/registry-anchor.ts';
import { succeeded } from '../../services/chain/receipts.ts';
import { deployTestContract, useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';

const run = promisify(execFile);
const node = path.resolve('node_modules/.bin/node');

let testEnv: TestEnvironment;
let connection: ChainConnection;
let provider: JsonRpcProvider;
let signer: Wallet;

beforeAll(async () => {
  testEnv = await useTestEnvironment();
  connection = new ChainConnection(testEnv.env.CHAIN_RPC_URL!);
  provider = await connection.provider();
  signer = new Wallet(testEnv.anchorPrivateKey, provider);
});

afterAll(async () => {
  connection?.destroy();
  await testEnv?.close();
});

async function crvs(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(node, ['cli/crvs.mjs', 'chain', ...args], { env: { ...process.env, ...testEnv.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const hasRole = (contract: string, role: string, account: string): Promise<boolean> =>
  registryAnchorAt(contract, provider).getFunction('hasRole')(role, account);

const oneLineOn = (stderr: string) => stderr.trim().split('\n');

describe('crvs chain deploy', () => {
  it('prints the ANCHOR_CONTRACT_ADDRESS line of a contract whose admin and anchorer is the configured signer', async () => {
    const { code, stdout } = await crvs(['deploy']);
    expect(code).toBe(0);
    const address = /^ANCHOR_CONTRACT_ADDRESS=(0x[0-9a-fA-F]{40})$/m.exec(stdout)?.[1];
    expect(address).toBeDefined();
    expect(await provider.getCode(address!)).not.toBe('0x');
    expect(await hasRole(address!, DEFAULT_ADMIN_ROLE, signer.address)).toBe(true);
    expect(await hasRole(address!, ANCHORER_ROLE, signer.address)).toBe(true);
  });

  it('gives the admin role to --admin and leaves the anchorer grant to that admin', async () => {
    const admin = Wallet.createRandom().address;
    const { code, stdout } = await crvs(['deploy', '--admin', admin, '--json']);
    expect(code).toBe(0);
    const deployment = JSON.parse(stdout) as { address: string; admin: string; anchorSigner: { anchorer: boolean } };
    expect(deployment.admin).toBe(admin);
    expect(deployment.anchorSigner.anchorer).toBe(false);
    expect(await hasRole(deployment.address, DEFAULT_ADMIN_ROLE, admin)).toBe(true);
    expect(await hasRole(deployment.address, DEFAULT_ADMIN_ROLE, signer.address)).toBe(false);
    expect(await hasRole(deployment.address, ANCHORER_ROLE, signer.address)).toBe(false);
  });
});

describe('crvs chain status', () => {
  it('shows latest batch 0 and that the configured signer holds the anchorer role', async () => {
    const { code, stdout } = await crvs(['status', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      rpcUrl: testEnv.env.CHAIN_RPC_URL,
      chainId: String((await provider.getNetwork()).chainId),
      contractAddress: testEnv.contractAddress,
      latestBatchId: 0,
      latestBatch: null,
      signer: { address: signer.address, anchorer: true, balance: expect.stringMatching(/^\d+\.\d+$/) },
    });
  });

  it('shows the root, leaf count and time of the latest anchored batch', async () => {
    const other = await deployTestContract(testEnv.env.CHAIN_RPC_URL!);
    const anchorer = new Wallet(other.anchorPrivateKey, provider);
    await succeeded(await registryAnchorAt(other.contractAddress, anchorer).getFunction('anchor')(1, id('batch 1'), 12));
    const env = { ANCHOR_CONTRACT_ADDRESS: other.contractAddress, ANCHOR_PRIVATE_KEY: other.anchorPrivateKey };
    const { code, stdout } = await crvs(['status'], env);
    expect(code).toBe(0);
    expect(stdout).toContain(`latest batch:   1 (root ${id('batch 1')}, 12 leaves, anchored `);
    expect(stdout).toContain('ANCHORER_ROLE: yes');
  });

  it('exits 1 when the configured signer cannot anchor', async () => {
    const { code, stdout } = await crvs(['status', '--json'], { ANCHOR_PRIVATE_KEY: Wallet.createRandom().privateKey });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).signer).toMatchObject({ anchorer: false, balance: '0.0' });
  });

  it('exits 2 with a one-line reason naming the chain when the RPC cannot be reached', async () => {
    const { code, stdout, stderr } = await crvs(['status'], { CHAIN_RPC_URL: 'http://127.0.0.1:1' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(oneLineOn(stderr)).toEqual([expect.stringMatching(/^crvs: chain is unreachable: .*127\.0\.0\.1:1/)]);
  });

  it('exits 2 naming ANCHOR_CONTRACT_ADDRESS when no contract is at that address', async () => {
    const { code, stderr } = await crvs(['status'], { ANCHOR_CONTRACT_ADDRESS: Wallet.createRandom().address });
    expect(code).toBe(2);
    expect(oneLineOn(stderr)).toEqual([expect.stringMatching(/^crvs: ANCHOR_CONTRACT_ADDRESS: no contract at 0x/)]);
  });
});

describe('crvs chain grant-anchorer and revoke-anchorer', () => {
  it('grants and then revokes the anchorer role, printing each transaction and block', async () => {
    const account = Wallet.createRandom().address;
    const granted = await crvs(['grant-anchorer', account]);
    expect(granted.code).toBe(0);
    expect(granted.stdout).toMatch(new RegExp(`^${account} holds ANCHORER_ROLE now \\(tx 0x[0-9a-f]{64}, block \\d+\\)`));
    expect(await hasRole(testEnv.contractAddress, ANCHORER_ROLE, account)).toBe(true);

    const revoked = await crvs(['revoke-anchorer', account, '--json']);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({ account, anchorer: false, changed: true, blockNumber: expect.any(Number) });
    expect(await hasRole(testEnv.contractAddress, ANCHORER_ROLE, account)).toBe(false);
  });

  it('sends nothing when the account already holds the role', async () => {
    const { code, stdout } = await crvs(['grant-anchorer', signer.address, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ contractAddress: testEnv.contractAddress, account: signer.address, anchorer: true, changed: false });
  });

  it('exits 2 with a one-line reason on a malformed address', async () => {
    for (const command of ['grant-anchorer', 'revoke-anchorer']) {
      const { code, stdout, stderr } = await crvs([command, '0x1234']);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(oneLineOn(stderr)).toEqual(['crvs: ADDRESS: "0x1234" is not an address (0x and 40 hex digits, checksummed if mixed-case)']);
    }
  });

  it('exits 2 naming the missing admin role when the admin key is not the admin', async () => {
    const notAdmin = Wallet.createRandom();
    const { code, stderr } = await crvs(['grant-anchorer', notAdmin.address], { CHAIN_ADMIN_PRIVATE_KEY: notAdmin.privateKey });
    expect(code).toBe(2);
    expect(oneLineOn(stderr)).toEqual([`crvs: ${notAdmin.address} (the admin key's account) does not hold DEFAULT_ADMIN_ROLE on ${testEnv.contractAddress}`]);
    expect(await hasRole(testEnv.contractAddress, ANCHORER_ROLE, notAdmin.address)).toBe(false);
  });
});
