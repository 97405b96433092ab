/**
 * Per-test-file real services: a fresh database (migrated), a fresh bucket, a freshly deployed
 * RegistryAnchor with its own funded signer, and a {@link Config} pointing at all of them, exactly
 * as the environment would in production.
 *
 * @example
 *   const env = await useTestEnvironment();       // in beforeAll
 *   afterAll(() => env.close());
 *   await env.sql`select 1`;
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { Wallet, parseEther, toBeHex } from 'ethers';
import postgres from 'postgres';
import { loadConfig, type Config } from '../../services/config/env.ts';
import { connectDatabase, type Sql } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { connectObjectStore, ensureBucket, type ObjectStore } from '../../services/objectstore/client.ts';
import { ChainConnection, rpcCall } from '../../services/chain/connection.ts';
import { ANCHORER_ROLE, deployRegistryAnchor, registryAnchorAt } from '../../services/chain/registry-anchor.ts';
import { succeeded } from '../../services/chain/receipts.ts';

export interface TestEnvironment {
  config: Config;
  /** The environment variables behind `config`, for child processes (`crvs ...`). */
  env: Record<string, string>;
  sql: Sql;
  store: ObjectStore;
  databaseName: string;
  contractAddress: string;
  anchorPrivateKey: string;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestEnvironmentOptions {
  /** Deploy a RegistryAnchor (default true). */
  chain?: boolean;
  /** Extra variables (BATCH_MAX_RECORDS, ...). */
  env?: Record<string, string>;
}

export async function useTestEnvironment(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const services = inject('services');
  const suffix = randomBytes(5).toString('hex');
  const databaseName = `crvs_test_${suffix}`;
  const admin = postgres(services.databaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${databaseName}`);
  await admin.end();
  const databaseUrl = withDatabase(services.databaseUrl, databaseName);

  const dataDir = mkdtempSync(path.join(tmpdir(), 'crvs-test-data-'));
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    S3_ENDPOINT: services.s3Endpoint,
    S3_BUCKET: `crvs-test-${suffix}`,
    CHAIN_RPC_URL: services.chainRpcUrl,
    LOG_LEVEL: 'silent',
    ...options.env,
  };

  let contractAddress = '';
  let anchorPrivateKey = '';
  if (options.chain !== false) {
    ({ contractAddress, anchorPrivateKey } = await deployTestContract(services.chainRpcUrl));
    env.ANCHOR_CONTRACT_ADDRESS = contractAddress;
    env.ANCHOR_PRIVATE_KEY = anchorPrivateKey;
  }

  const config = loadConfig(env);
  const sql = connectDatabase(config, { max: 10, applicationName: 'crvs-test' });
  await migrate(sql);
  const store = connectObjectStore(config);
  await ensureBucket(store);

  return {
    config,
    env,
    sql,
    store,
    databaseName,
    contractAddress,
    anchorPrivateKey,
    dataDir,
    async close() {
      await sql.end({ timeout: 5 });
      store.client.destroy();
      rmSync(dataDir, { recursive: true, force: true });
      const dropper = postgres(services.databaseUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${databaseName} with (force)`).catch(() => {});
      await dropper.end();
    },
  };
}

/** Deploys a RegistryAnchor whose admin and anchorer is a new wallet funded on the test chain. */
export async function deployTestContract(rpcUrl: string): Promise<{ contractAddress: string; anchorPrivateKey: string }> {
  const connection = new ChainConnection(rpcUrl);
  try {
    const wallet = Wallet.createRandom();
    // A wallet per test file: files run in parallel and must not share a nonce sequence.
    await rpcCall(rpcUrl, 'anvil_setBalance', [wallet.address, toBeHex(parseEther('1000'))]);
    const signer = wallet.connect(await connection.provider());
    const deployment = await deployRegistryAnchor(signer);
    await succeeded(await registryAnchorAt(deployment.address, signer).getFunction('grantRole')(ANCHORER_ROLE, wallet.address));
    return { contractAddress: deployment.address, anchorPrivateKey: wallet.privateKey };
  } finally {
    connection.destroy();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
