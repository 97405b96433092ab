/**
 * Real services on loopback for development and benchmarks, in the foreground until Ctrl-C:
 * PostgreSQL 15 (Debian's server, infra/postgres.sh), an S3-compatible object store (s3rver over
 * HTTP) and an EVM chain node (Anvil, state kept in DIR) with RegistryAnchor deployed. Prints the
 * variables to export so that `npm start`, `crvs ...` and the tests use these instead of the
 * embedded default.
 *
 *   node infra/services.ts [DIR]        (default ./data/infra)
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../services/config/env.ts';
import { startEmbeddedObjectStore } from '../services/embedded/objectstore.ts';
import { startEmbeddedChain } from '../services/embedded/chain.ts';
import { anchorPrivateKey } from '../services/chain/settings.ts';

const dir = path.resolve(process.argv[2] ?? 'data/infra');
const pgPort = process.env.INFRA_POSTGRES_PORT ?? '55432';
const databaseUrl = execFileSync(new URL('./postgres.sh', import.meta.url).pathname, ['start', path.join(dir, 'postgres'), pgPort], {
  encoding: 'utf8',
}).trim();

// The object store and chain are the same programs as the embedded default's, on their own ports.
const config = loadConfig({ ...process.env, DATA_DIR: dir, DATABASE_URL: databaseUrl, EMBEDDED_S3_PORT: '55480', EMBEDDED_CHAIN_PORT: '55485' });
const s3 = await startEmbeddedObjectStore(config);
const chain = await startEmbeddedChain(config);

console.log(`# real services under ${dir}; export these, Ctrl-C stops the object store and chain`);
console.log(`export DATABASE_URL=${databaseUrl}`);
console.log(`export S3_ENDPOINT=${s3.endpoint}`);
console.log(`export CHAIN_RPC_URL=${chain.rpcUrl}`);
console.log(`export ANCHOR_CONTRACT_ADDRESS=${chain.deployment.address}`);
console.log(`export ANCHOR_PRIVATE_KEY=${anchorPrivateKey(config)}`);
console.log(`# PostgreSQL keeps running; stop it with: infra/postgres.sh stop ${path.join(dir, 'postgres')}`);

const stop = async () => {
  await chain.stop();
  await s3.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
