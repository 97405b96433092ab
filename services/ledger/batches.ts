/**
 * @module
 * Sealing: pending record versions become a Merkle batch with every leaf's proof stored.
 *
 * One sealer at a time (a transaction-scoped advisory lock), so batch ids are 1, 2, 3, ... with no
 * gaps and two anchor workers against one database never seal the same versions. Sealing moves
 * versions out of `ledger_pending` into `batch_leaves` in the same transaction: a crash before the
 * commit leaves them pending, a crash after leaves a complete batch. Nothing is lost either way.
 */
import type { Sql } from '../database/client.ts';
import { sealLeaves, toHex, fromHex, type Hex } from './core.ts';
import type { Db } from './record-versions.ts';

// Arbitrary but fixed: the advisory lock key every anchor worker agrees on for sealing.
const SEAL_LOCK_KEY = 0x7365616c;
// postgres.js sends one parameter per value; stay well below PostgreSQL's 65,535 per statement.
const INSERT_CHUNK = 10_000;

export interface SealedBatch {
  id: number;
  root: Hex;
  leafCount: number;
}

export interface PendingBacklog {
  count: number;
  oldestEnqueuedAt: Date | null;
}

export async function pendingBacklog(db: Db): Promise<PendingBacklog> {
  const [row] = await db<{ count: bigint; oldest: Date | null }[]>`
    select count(*) as count, min(enqueued_at) as oldest from ledger_pending`;
  return { count: Number(row!.count), oldestEnqueuedAt: row!.oldest };
}

/** Seals up to `maxRecords` pending versions, oldest first, into the next batch; null when none wait. */
export async function sealNextBatch(sql: Sql, maxRecords: number): Promise<SealedBatch | null> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${SEAL_LOCK_KEY})`;
    const pending = await tx<{ version_id: bigint; leaf: Buffer }[]>`
      select p.version_id, v.leaf
      from ledger_pending p join record_versions v on v.id = p.version_id
      order by p.version_id
      limit ${maxRecords}
      for update of p skip locked`;
    if (pending.length === 0) return null;

    const { root, proofs } = sealLeaves(pending.map((p) => p.leaf));
    const [row] = await tx<{ next: bigint }[]>`select coalesce(max(id), 0) + 1 as next from batches`;
    const next = row!.next;
    await tx`insert into batches (id, root, leaf_count) values (${next}, ${root}, ${pending.length})`;
    for (let start = 0; start < pending.length; start += INSERT_CHUNK) {
      const rows = pending.slice(start, start + INSERT_CHUNK).map((p, i) => ({
        batch_id: next,
        position: start + i,
        version_id: p.version_id,
        proof: Buffer.concat(proofs[start + i]!),
      }));
      await tx`insert into batch_leaves ${tx(rows)}`;
      await tx`delete from ledger_pending where version_id in ${tx(rows.map((r) => r.version_id))}`;
    }
    return { id: Number(next), root: toHex(root), leafCount: pending.length };
  });
}

/** Splits a stored proof (concatenated 32-byte siblings) into hex siblings. */
export function splitProof(proof: Buffer): Hex[] {
  const out: Hex[] = [];
  for (let i = 0; i < proof.length; i += 32) out.push(toHex(proof.subarray(i, i + 32)));
  return out;
}

export function joinProof(proof: readonly Hex[]): Buffer {
  return Buffer.concat(proof.map(fromHex));
}
