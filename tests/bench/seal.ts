/**
 * Sealing a batch of 100,000 record versions with every proof, next to the baseline of 100,000 raw
 * keccak256 hashes of 32 bytes with the same hash function, measured in the same run (goal: sealing
 * within 3x of raw hashing; a tree over n leaves hashes n−1 inner nodes of 64 bytes, so ~1x is the floor).
 *
 *   node tests/bench/seal.ts                     the ledger core (`sealLeaves`): always
 *   TEST_DATABASE_URL=postgres://… node tests/bench/seal.ts
 *                                                also `sealNextBatch` on real PostgreSQL (a scratch
 *                                                database is created and dropped), and the gas of
 *                                                one `anchor` on a throwaway Anvil node
 * BENCH_SEAL_RECORDS changes the batch size.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Wallet, parseEther, toBeHex } from 'ethers';
import postgres from 'postgres';
import { commit, keccak256, sealLeaves, fromHex } from '../../services/ledger/core.ts';
import { sealNextBatch } from '../../services/ledger/batches.ts';
import { migrate } from '../../services/database/migrate.ts';
import type { Sql } from '../../services/database/client.ts';
import { startAnvil } from '../../services/embedded/chain.ts';
import { ChainConnection, rpcCall } from '../../services/chain/connection.ts';
import { succeeded } from '../../services/chain/receipts.ts';
import { ANCHORER_ROLE, deployRegistryAnchor, registryAnchorAt } from '../../services/chain/registry-anchor.ts';
import { freePort } from '../support/ports.ts';

const N = Number(process.env.BENCH_SEAL_RECORDS ?? 100_000);
const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;

/** Raw hashing and core sealing, alternated so that both see the same machine load. */
function benchCore(): { rawMs: number; sealMs: number } {
  const leaves = Array.from({ length: N }, () => randomBytes(32));
  const hashAll = () => {
    for (const leaf of leaves) keccak256(leaf);
  };
  // Warm-up: JIT both paths on a tenth of the work.
  const warm = leaves.slice(0, Math.ceil(N / 10));
  for (const leaf of warm) keccak256(leaf);
  sealLeaves(warm);
  const raw: number[] = [];
  const seal: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    raw.push(timed(hashAll));
    seal.push(timed(() => sealLeaves(leaves)));
  }
  return { rawMs: median(raw), sealMs: median(seal) };
}

/** `sealNextBatch` of N pending versions on a scratch database: select, tree, proofs, inserts, commit. */
async function benchDatabase(url: string): Promise<number> {
  const name = `crvs_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const sql = postgres(target.toString(), { max: 2, onnotice: () => {}, types: { bigint: postgres.BigInt } }) as unknown as Sql;
  try {
    await migrate(sql);
    for (let start = 0; start < N; start += 5_000) {
      const rows = Array.from({ length: Math.min(5_000, N - start) }, (_, i) => {
        const c = commit({ schema: 'crvs/record-version/v1', i: start + i, data: { child: `bench ${start + i}` } });
        return { record_id: crypto.randomUUID(), version: 1, kind: 'birth', content: JSON.parse(c.canonical), salt: fromHex(c.salt), commitment: fromHex(c.commitment), leaf: fromHex(c.leaf) };
      });
      const ids = await sql<{ id: bigint }[]>`insert into record_versions ${sql(rows)} returning id`;
      await sql`insert into ledger_pending ${sql(ids.map((r) => ({ version_id: r.id })))}`;
    }
    await sql`analyze`;
    const t = performance.now();
    const batch = await sealNextBatch(sql, N);
    const elapsed = performance.now() - t;
    if (batch?.leafCount !== N) throw new Error(`sealed ${batch?.leafCount ?? 0} of ${N}`);
    return elapsed;
  } finally {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

/** Gas of the first `anchor` (cold storage) and of the following ones, on a throwaway Anvil. */
async function benchGas(): Promise<{ first: bigint; next: bigint }> {
  const anvil = await startAnvil({ port: await freePort() });
  const connection = new ChainConnection(anvil.rpcUrl);
  try {
    const wallet = Wallet.createRandom().connect(await connection.provider());
    await rpcCall(anvil.rpcUrl, 'anvil_setBalance', [wallet.address, toBeHex(parseEther('10'))]);
    const { address } = await deployRegistryAnchor(wallet);
    const contract = registryAnchorAt(address, wallet);
    await succeeded(await contract.getFunction('grantRole')(ANCHORER_ROLE, wallet.address));
    const gas: bigint[] = [];
    for (let id = 1; id <= 3; id++) gas.push((await succeeded(await contract.getFunction('anchor')(id, `0x${randomBytes(32).toString('hex')}`, N))).gasUsed);
    return { first: gas[0]!, next: gas[2]! };
  } finally {
    connection.destroy();
    await anvil.stop();
  }
}

export async function run(): Promise<void> {
  console.log(`sealing ${N.toLocaleString('en')} leaves with every proof (median of ${RUNS})`);
  const { rawMs, sealMs } = benchCore();
  console.log(`  baseline: ${N.toLocaleString('en')} raw keccak256 of 32 bytes   ${ms(rawMs)}`);
  console.log(`  sealLeaves (tree + all proofs + check)        ${ms(sealMs)}   ${(sealMs / rawMs).toFixed(2)}x raw hashing (goal ≤ 3x)`);

  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url) {
    const dbMs = await benchDatabase(url);
    console.log(`  sealNextBatch on PostgreSQL (all rows stored) ${ms(dbMs)}   ${(dbMs / rawMs).toFixed(2)}x raw hashing`);
  } else {
    console.log('  sealNextBatch on PostgreSQL: skipped (set TEST_DATABASE_URL to measure it)');
  }

  const gas = await benchGas();
  console.log(`gas per anchor: ${gas.first} (first batch), ${gas.next} (each later batch)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
