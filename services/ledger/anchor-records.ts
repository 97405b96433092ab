/**
 * @module
 * What the database knows about anchoring: sealed batches, which of them are recorded as anchored
 * on a given contract, and recording an anchoring (append-only: `batch_anchors` keeps the first,
 * `batch_reanchors` any later one; see migration 0006).
 */
import type { Sql } from '../database/client.ts';
import { toHex, type Hex } from './core.ts';
import type { Anchoring } from './anchoring.ts';
import type { Db } from './record-versions.ts';

export interface StoredBatch {
  id: number;
  root: Hex;
  leafCount: number;
  sealedAt: Date;
}

export interface AnchorTarget {
  chainId: string;
  contractAddress: string;
}

interface BatchRow {
  id: bigint;
  root: Buffer;
  leaf_count: number;
  sealed_at: Date;
}

const toBatch = (r: BatchRow): StoredBatch => ({ id: Number(r.id), root: toHex(r.root), leafCount: r.leaf_count, sealedAt: r.sealed_at });

/** Pending versions, and whether a batch is due (BATCH_MAX_RECORDS waiting, or the oldest waited BATCH_MAX_WAIT_MS). */
export async function sealingDue(db: Db, limits: { maxRecords: number; maxWaitMs: number }): Promise<{ due: boolean; waitMs: number | null }> {
  // The database's clock, not the worker's: workers on several machines agree on one clock.
  const [row] = await db<{ count: number; waited_ms: number | null }[]>`
    select count(*)::int as count, (extract(epoch from clock_timestamp() - min(enqueued_at)) * 1000)::float8 as waited_ms
    from ledger_pending`;
  const { count, waited_ms: waited } = row!;
  if (count === 0 || waited === null) return { due: false, waitMs: null };
  const due = count >= limits.maxRecords || waited >= limits.maxWaitMs;
  return { due, waitMs: due ? 0 : limits.maxWaitMs - waited };
}

export async function latestSealedBatchId(db: Db): Promise<number> {
  const [row] = await db<{ id: bigint }[]>`select coalesce(max(id), 0) as id from batches`;
  return Number(row!.id);
}

/** Sealed batches above the last one recorded as anchored (anchoring goes strictly in id order). */
export async function unanchoredCount(db: Db): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from batches where id > (select coalesce(max(batch_id), 0) from batch_anchorings)`;
  return row!.n;
}

/** Sealed batches with no anchoring recorded on `target`, in id order. */
export async function unrecordedBatches(db: Db, target: AnchorTarget, upTo = Number.MAX_SAFE_INTEGER): Promise<StoredBatch[]> {
  const rows = await db<BatchRow[]>`
    select b.id, b.root, b.leaf_count, b.sealed_at from batches b
    where b.id <= ${upTo} and not exists (
      select 1 from batch_anchorings a
      where a.batch_id = b.id and a.chain_id = ${target.chainId} and lower(a.contract_address) = lower(${target.contractAddress}))
    order by b.id`;
  return rows.map(toBatch);
}

/** Ids above `latestOnChain` that the database records as anchored on `target`: the chain lost them. */
export async function recordedAbove(db: Db, target: AnchorTarget, latestOnChain: number): Promise<number[]> {
  const rows = await db<{ batch_id: bigint }[]>`
    select distinct batch_id from batch_anchorings
    where batch_id > ${latestOnChain} and chain_id = ${target.chainId} and lower(contract_address) = lower(${target.contractAddress})
    order by batch_id`;
  return rows.map((r) => Number(r.batch_id));
}

/**
 * The contracts on which the database records anchorings, when it records none on `target`: a
 * database paired with a contract that is not its own (a wrong DATABASE_URL or contract address),
 * or a registry being moved. Empty when `target` has anchorings here, or nothing is anchored yet.
 */
export async function anchoredOnlyElsewhere(db: Db, target: AnchorTarget): Promise<(AnchorTarget & { batches: number })[]> {
  const rows = await db<{ chain_id: string; contract_address: string; batches: number }[]>`
    select chain_id, contract_address, count(distinct batch_id)::int as batches from batch_anchorings
    where not exists (
      select 1 from batch_anchorings where chain_id = ${target.chainId} and lower(contract_address) = lower(${target.contractAddress}))
    group by 1, 2 order by 3 desc`;
  return rows.map((r) => ({ chainId: r.chain_id, contractAddress: r.contract_address, batches: r.batches }));
}

export async function batchesAbove(db: Db, id: number): Promise<StoredBatch[]> {
  const rows = await db<BatchRow[]>`select id, root, leaf_count, sealed_at from batches where id > ${id} order by id`;
  return rows.map(toBatch);
}

/**
 * Records that `batchId` was anchored by `anchoring`. Idempotent: recording the same transaction in
 * the same block twice (two workers, or a restart) leaves one row. (After a rollback the very same
 * transaction can be mined again, even in another block: that is recorded as a new anchoring.) The first anchoring of a batch goes to
 * `batch_anchors`; a later one (the chain lost the first) to `batch_reanchors` with its reason.
 * `beforeCommit` runs inside the transaction, after the rows are written (fault injection in tests).
 */
export async function recordAnchoring(sql: Sql, batchId: number, anchoring: Anchoring, reason: string, beforeCommit: () => void = () => {}): Promise<void> {
  const a = anchoring;
  await sql.begin(async (tx) => {
    const first = await tx`
      insert into batch_anchors (batch_id, chain_id, contract_address, transaction_hash, block_number)
      values (${batchId}, ${a.chainId}, ${a.contractAddress}, ${a.transactionHash}, ${a.blockNumber})
      on conflict (batch_id) do nothing
      returning batch_id`;
    if (first.length === 0) {
      await tx`
        insert into batch_reanchors (batch_id, chain_id, contract_address, transaction_hash, block_number, reason)
        select ${batchId}, ${a.chainId}, ${a.contractAddress}, ${a.transactionHash}, ${a.blockNumber}, ${reason}
        where not exists (select 1 from batch_anchorings
                          where batch_id = ${batchId} and transaction_hash = ${a.transactionHash} and block_number = ${a.blockNumber})
        on conflict do nothing`;
    }
    beforeCommit();
  });
}
