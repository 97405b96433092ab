/**
 * `crvs audit` throughput: a full audit (every leaf recomputed from content and salt, every batch
 * tree rebuilt and compared with the chain) of 100,000 and 1,000,000 record versions, next to the
 * baseline of raw keccak256 hashing of the same count (32-byte inputs, one thread) measured in the
 * same run. Goal: 1,000,000 versions in under 60 s on the 2-core machine (fixity aside). The last
 * line of each size is the audit with `--people` (the registry's people index and birth keys
 * against the records too, read beside every current version in the same pass), which the goal
 * does not cover, as fixity.
 *
 *   node tests/bench/audit.ts                 PostgreSQL: DATABASE_URL or TEST_DATABASE_URL (a scratch
 *                                             database is created and dropped there), else a server
 *                                             started with infra/postgres.sh (port 55434, as tests/bench/registry.ts)
 *   BENCH_AUDIT_SIZES=100000 node tests/bench/audit.ts
 *
 * The ledger is generated with the ledger core in worker threads (realistic ~1 KB birth records,
 * batches of 10,000 with every proof, as the anchor worker seals them), loaded with COPY and
 * anchored on a throwaway Anvil node. At the smaller size the audit also runs with hashing in the
 * main thread, to show what the worker pool buys.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Wallet, parseEther, toBeHex } from 'ethers';
import postgres from 'postgres';
import { loadConfig } from '../../services/config/env.ts';
import type { Sql } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { startAnvil } from '../../services/embedded/chain.ts';
import { ChainConnection, rpcCall } from '../../services/chain/connection.ts';
import { succeeded } from '../../services/chain/receipts.ts';
import { ANCHORER_ROLE, deployRegistryAnchor, registryAnchorAt } from '../../services/chain/registry-anchor.ts';
import { keccak256 } from '../../services/ledger/core.ts';
import { openAnchorReader } from '../../services/audit/chain-batches.ts';
import { runAudit, type AuditResult } from '../../services/audit/engine.ts';
import { connectAuditDatabase } from '../../services/audit/read-only.ts';
import { freePort } from '../support/ports.ts';
import { CONTENT_BYTES, type BatchRows, type BatchTask } from './_audit-ledger-worker.ts';

const SIZES = (process.env.BENCH_AUDIT_SIZES ?? '100000,1000000').split(',').map(Number);
const BATCH = 10_000;
const CORES = availableParallelism();

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).padStart(6)} s`;
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en').padStart(9)}/s`;

export async function run(): Promise<void> {
  const serverUrl = postgresServer();
  const anvil = await startAnvil({ port: await freePort() });
  try {
    console.log(`audit benchmark: ${CORES} cores, sizes ${SIZES.join(', ')}, batches of ${BATCH}`);
    for (const n of SIZES) await benchSize(n, serverUrl, anvil.rpcUrl);
  } finally {
    await anvil.stop();
  }
}

async function benchSize(n: number, serverUrl: string, rpcUrl: string): Promise<void> {
  const name = `crvs_bench_audit_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {}, types: { bigint: postgres.BigInt } }) as unknown as Sql;
  try {
    await migrate(sql);
    const contract = await deployContract(rpcUrl);
    let t = performance.now();
    await generateLedger(sql, n, rpcUrl, contract);
    console.log(`\n${n.toLocaleString('en')} record versions: generated, loaded and anchored in ${seconds(performance.now() - t)}`);
    const rawMs = hashing(n, [32]);
    console.log(`  raw keccak256 (32 B, 1 thread)  ${seconds(rawMs)} ${rate(n, rawMs)}   baseline`);
    // What the audit cannot avoid hashing per version: the salted content, the double-hashed leaf
    // and its share of the tree (n−1 inner nodes of 64 bytes). Measured on a sample, scaled to n.
    const sample = Math.min(n, 20_000);
    const floorMs = (hashing(sample, [32 + CONTENT_BYTES, 32, 32, 64]) * n) / sample;
    console.log(`  keccak256 floor of the audit    ${seconds(floorMs)} ${rate(n, floorMs)}   ${(floorMs / rawMs).toFixed(1)}x baseline (1 thread; ${CONTENT_BYTES} B content + leaf + tree)`);
    const config = loadConfig({ DATABASE_URL: url.toString(), CHAIN_RPC_URL: rpcUrl, ANCHOR_CONTRACT_ADDRESS: contract.address, LOG_LEVEL: 'silent' });
    const runs = [...(n <= 100_000 ? [CORES, 0] : [CORES]).map((workers) => ({ workers, people: false })), { workers: CORES, people: true }];
    for (const { workers, people } of runs) {
      const cpu = process.cpuUsage();
      const result = await audit(config, contract.address, workers, people);
      const { user, system } = process.cpuUsage(cpu);
      const label = people ? `audit --people, ${workers} threads` : workers ? `audit, ${workers} hashing threads` : 'audit, hashing in main thread';
      // CPU time of all threads: on a machine shared with other work, wall time ≈ CPU time / free cores.
      console.log(
        `  ${label.padEnd(31)} ${seconds(result.durationMs)} ${rate(n, result.durationMs)}   ${(result.durationMs / rawMs).toFixed(1)}x baseline` +
          `   (CPU ${((user + system) / 1e6).toFixed(1)} s in this process)`,
      );
    }
  } finally {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** Milliseconds to keccak256 `n` times each of the given input sizes, in this thread. */
function hashing(n: number, sizes: number[]): number {
  const inputs = sizes.map((size) => new Uint8Array(size));
  const t = performance.now();
  for (let i = 0; i < n; i++) for (const input of inputs) keccak256(input);
  return performance.now() - t;
}

async function audit(config: ReturnType<typeof loadConfig>, address: string, workers: number, people: boolean): Promise<AuditResult> {
  const sql = await connectAuditDatabase(config, 'crvs-bench-audit');
  const chain = await openAnchorReader(config.chain.rpcUrl, address);
  try {
    const result = await runAudit({ sql, chain }, { maxPendingAgeMs: 3_600_000, workers, people });
    if (!result.ok || result.summary.leavesVerified !== result.summary.recordVersions) {
      throw new Error(`the generated ledger did not audit clean: ${JSON.stringify(result.findings.slice(0, 3))}`);
    }
    return result;
  } finally {
    chain.close();
    await sql.end({ timeout: 5 });
  }
}

interface Deployed {
  address: string;
  privateKey: string;
}

async function deployContract(rpcUrl: string): Promise<Deployed> {
  const connection = new ChainConnection(rpcUrl);
  try {
    const wallet = Wallet.createRandom();
    await rpcCall(rpcUrl, 'anvil_setBalance', [wallet.address, toBeHex(parseEther('1000'))]);
    const signer = wallet.connect(await connection.provider());
    const { address } = await deployRegistryAnchor(signer);
    await succeeded(await registryAnchorAt(address, signer).getFunction('grantRole')(ANCHORER_ROLE, wallet.address));
    return { address, privateKey: wallet.privateKey };
  } finally {
    connection.destroy();
  }
}

/** Builds batches in worker threads, loads each with COPY in id order, then anchors every root. */
async function generateLedger(sql: Sql, n: number, rpcUrl: string, contract: Deployed): Promise<void> {
  const tasks: BatchTask[] = [];
  for (let first = 1; first <= n; first += BATCH) tasks.push({ batchId: tasks.length + 1, firstVersionId: first, count: Math.min(BATCH, n - first + 1) });
  const workers = Array.from({ length: CORES }, () => new Worker(fileURLToPath(new URL('./_audit-ledger-worker.ts', import.meta.url))));
  const build = (task: BatchTask, worker: Worker) =>
    new Promise<BatchRows>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (rows: BatchRows) => {
        worker.off('error', reject);
        resolve(rows);
      });
      worker.postMessage(task);
    });
  const roots: string[] = [];
  try {
    // Each worker builds every CORES-th batch; batches are loaded strictly in order.
    const ahead = new Map<number, Promise<BatchRows>>();
    const next = (i: number, w: number) => {
      if (i < tasks.length) ahead.set(i, build(tasks[i]!, workers[w]!).then((rows) => (next(i + CORES, w), rows)));
    };
    workers.forEach((_, w) => next(w, w));
    for (let i = 0; i < tasks.length; i++) {
      const rows = await ahead.get(i)!;
      ahead.delete(i);
      await copy(sql, 'record_versions (record_id, version, kind, content, salt, commitment, leaf)', rows.versions);
      await copy(sql, 'registry_records (record_id, kind, office_code, registration_year, registration_sequence, registration_number, current_version, birth_identity, birth_identity_pinfl)', rows.records);
      await copy(sql, 'registry_people (record_id, role, search_name, identity_name, identity_name_after, date_of_birth, pinfl)', rows.people);
      await sql`insert into batches (id, root, leaf_count) values (${rows.batchId}, ${Buffer.from(rows.root.slice(2), 'hex')}, ${rows.count})`;
      await copy(sql, 'batch_leaves (batch_id, position, version_id, proof)', rows.leaves);
      roots.push(rows.root);
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  await sql`vacuum analyze`;
  await anchorRoots(sql, rpcUrl, contract, tasks, roots);
}

async function copy(sql: Sql, target: string, text: string): Promise<void> {
  const query = sql.unsafe(`copy ${target} from stdin`);
  // A refused row fails the query, not the stream: wait for both, or the benchmark would hang.
  await Promise.all([query.writable().then((writable) => pipeline(Readable.from([text]), writable)), query]);
}

async function anchorRoots(sql: Sql, rpcUrl: string, contract: Deployed, tasks: BatchTask[], roots: string[]): Promise<void> {
  const connection = new ChainConnection(rpcUrl);
  try {
    const provider = await connection.provider();
    const anchor = registryAnchorAt(contract.address, new Wallet(contract.privateKey, provider)).getFunction('anchor');
    for (const [i, task] of tasks.entries()) {
      const receipt = await succeeded(await anchor(task.batchId, roots[i], task.count));
      await sql`
        insert into batch_anchors (batch_id, chain_id, contract_address, transaction_hash, block_number)
        values (${task.batchId}, '31337', ${contract.address}, ${receipt.hash}, ${receipt.blockNumber})`;
    }
  } finally {
    connection.destroy();
  }
}

/**
 * DATABASE_URL or TEST_DATABASE_URL, else the benchmarks' local server from infra/postgres.sh (the
 * same directory and port as tests/bench/registry.ts, so `npm run bench` starts one server; left
 * running, as the test server is).
 */
function postgresServer(): string {
  const given = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (given) return given;
  const script = fileURLToPath(new URL('../../infra/postgres.sh', import.meta.url));
  return execFileSync(script, ['start', path.join(tmpdir(), 'crvs-bench-postgres'), '55434'], { encoding: 'utf8' }).trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
