/**
 * @module
 * The audit's ledger of batches: what the database says about each batch (its row, its leaf
 * rows, its anchoring receipt) next to what the chain says, and the slots into which the scan
 * puts each version's *recomputed* leaf at its position. A batch's root is rebuilt as soon as
 * its last version has been hashed, so trees are built while the scan still streams.
 */
import type { TransactionSql } from '../database/client.ts';
import type { Hex } from '../ledger/core.ts';
import type { AnchoredBatch } from './chain-batches.ts';

export interface BatchEntry {
  id: number;
  /** The `batches` row, if any. */
  stored: { root: Hex; leafCount: number; stale: boolean } | null;
  /** The `batch_anchors` row, if any. */
  receipt: { chainId: string; contractAddress: string; transactionHash: string } | null;
  /** `batch_leaves` rows, and those among them whose version row is gone. */
  leafRows: number;
  orphans: { position: number; versionId: string }[];
  /** The batch as anchored, when the chain knows it. */
  chain: AnchoredBatch | null;
  /** Recomputed leaves at their positions (chain.leafCount slots) and the versions in them (0: empty). */
  leaves: Buffer;
  versionIds: Float64Array;
  filled: number;
  /** Versions of this batch the scan has handled, to know when the batch is complete. */
  seen: number;
  /** Versions in this batch whose own row no longer agrees with itself (already reported). */
  changed: Set<number>;
  root: Promise<Uint8Array> | null;
}

/** Reads the batch rows, leaf-row counts, receipts and orphaned leaf rows of the snapshot. */
export async function loadBatchBook(tx: TransactionSql, maxPendingAgeMs: number): Promise<Map<number, BatchEntry>> {
  const rows = await tx<
    { id: bigint; root: Buffer | null; leaf_count: number | null; stale: boolean | null; leaf_rows: bigint | null; chain_id: string | null; contract_address: string | null; transaction_hash: string | null }[]
  >`
    with leaf_rows as (select batch_id, count(*) as n from batch_leaves group by batch_id)
    select coalesce(b.id, l.batch_id) as id, b.root, b.leaf_count,
           b.sealed_at < now() - make_interval(secs => ${maxPendingAgeMs / 1000}::double precision) as stale,
           l.n as leaf_rows, a.chain_id, a.contract_address, a.transaction_hash
    from batches b
    full join leaf_rows l on l.batch_id = b.id
    left join batch_anchors a on a.batch_id = coalesce(b.id, l.batch_id)`;
  const book = new Map<number, BatchEntry>();
  for (const r of rows) {
    const id = Number(r.id);
    book.set(id, {
      ...emptyEntry(id),
      stored: r.root ? { root: `0x${r.root.toString('hex')}`, leafCount: r.leaf_count!, stale: Boolean(r.stale) } : null,
      receipt: r.transaction_hash ? { chainId: r.chain_id!, contractAddress: r.contract_address!, transactionHash: r.transaction_hash } : null,
      leafRows: Number(r.leaf_rows ?? 0),
    });
  }
  const orphans = await tx<{ batch_id: bigint; position: number; version_id: bigint }[]>`
    select l.batch_id, l.position, l.version_id from batch_leaves l
    where not exists (select 1 from record_versions v where v.id = l.version_id)`;
  for (const o of orphans) book.get(Number(o.batch_id))!.orphans.push({ position: o.position, versionId: String(o.version_id) });
  return book;
}

export function emptyEntry(id: number): BatchEntry {
  return {
    id,
    stored: null,
    receipt: null,
    leafRows: 0,
    orphans: [],
    chain: null,
    leaves: Buffer.alloc(0),
    versionIds: new Float64Array(0),
    filled: 0,
    seen: 0,
    changed: new Set(),
    root: null,
  };
}

/** Attaches what the chain says and sizes the slots to the anchored leaf count. */
export function attachChain(entry: BatchEntry, chain: AnchoredBatch): void {
  entry.chain = chain;
  entry.leaves = Buffer.alloc(chain.leafCount * 32);
  entry.versionIds = new Float64Array(chain.leafCount);
}

/** Whether every version the database lists in this batch has been hashed by the scan. */
export function isComplete(entry: BatchEntry): boolean {
  return entry.seen >= entry.leafRows - entry.orphans.length;
}

/** Whether the root can be rebuilt: every anchored position holds a recomputed leaf. */
export function isRebuildable(entry: BatchEntry): boolean {
  return entry.chain !== null && entry.filled === entry.chain.leafCount;
}
