/**
 * @module
 * Per batch, once the scan has hashed every version: is the batch the chain anchored complete in
 * the database, does the tree rebuilt from recomputed leaves give the anchored root and count, and
 * does the database hold batches the chain does not know? When a batch fails, each of its versions
 * is walked up its stored proof to the *anchored* root to pinpoint which one changed (compute,
 * then compare, as transparency-dev's `RootFromInclusionProof`): a stored proof is never trusted,
 * it only leads to a root that the chain either confirms or not.
 */
import type { TransactionSql } from '../database/client.ts';
import { rootFromProof, toHex } from '../ledger/core.ts';
import { splitProof } from '../ledger/batches.ts';
import { isRebuildable, type BatchEntry } from './batch-book.ts';
import type { Finding } from './findings.ts';
import { formatAge, leafCountText } from './ledger-scan.ts';

export interface BatchVerdicts {
  /** Batches whose rebuilt root and count match the chain. */
  verified: number;
  /** Versions whose recomputed leaf is in a verified batch. */
  leavesVerified: number;
  /** Sealed batches waiting for anchoring, within the allowed age. */
  awaitingAnchor: number;
}

export async function judgeBatches(tx: TransactionSql, book: Map<number, BatchEntry>, findings: Finding[], maxPendingAgeMs: number): Promise<BatchVerdicts> {
  const verdicts: BatchVerdicts = { verified: 0, leavesVerified: 0, awaitingAnchor: 0 };
  for (const entry of [...book.values()].sort((a, b) => a.id - b.id)) {
    if (entry.chain) {
      if (await judgeAnchored(tx, entry, findings)) {
        verdicts.verified++;
        verdicts.leavesVerified += entry.chain.leafCount;
      }
    } else if (entry.receipt) {
      findings.push({
        kind: 'batch-unknown-to-chain',
        message: `batch ${entry.id} is recorded as anchored by transaction ${entry.receipt.transactionHash}, but the contract does not know it`,
        batchId: entry.id,
      });
    } else if (!entry.stored || entry.stored.stale) {
      findings.push({
        kind: 'unanchored',
        message: entry.stored
          ? `batch ${entry.id} was sealed more than ${formatAge(maxPendingAgeMs)} ago and is not anchored`
          : `batch ${entry.id} has leaf rows but no batch row and is not anchored`,
        batchId: entry.id,
      });
    } else verdicts.awaitingAnchor++;
  }
  return verdicts;
}

/** Checks one batch the chain anchored; true when it is intact. */
async function judgeAnchored(tx: TransactionSql, entry: BatchEntry, findings: Finding[]): Promise<boolean> {
  const chain = entry.chain!;
  const before = findings.length;
  if (!entry.stored) {
    findings.push({
      kind: 'batch-missing',
      message:
        `batch ${entry.id} is anchored on chain with ${leafCountText(chain.leafCount)} but has no batch row` +
        (entry.leafRows ? ` (${entry.leafRows} leaf rows remain)` : ' nor any leaf row'),
      batchId: entry.id,
      expected: chain.root,
    });
    // With nothing left of the batch, every position missing is one fact, not leafCount of them.
    if (entry.leafRows === 0) return false;
  }
  reportMissing(entry, findings);
  const storedCount = entry.stored?.leafCount ?? entry.leafRows;
  if (entry.leafRows !== chain.leafCount || storedCount !== chain.leafCount) {
    findings.push({
      kind: 'count-mismatch',
      message: `batch ${entry.id} was anchored with ${leafCountText(chain.leafCount)}; the database lists ${entry.leafRows} (batch row says ${storedCount})`,
      batchId: entry.id,
      expected: String(chain.leafCount),
      actual: String(entry.leafRows),
    });
  }
  let rootMatches = false;
  if (isRebuildable(entry) && entry.root) {
    const rebuilt = toHex(await entry.root);
    rootMatches = rebuilt === chain.root;
    if (!rootMatches) {
      findings.push({ kind: 'root-mismatch', message: `batch ${entry.id}: the tree rebuilt from recomputed leaves does not give the anchored root`, batchId: entry.id, expected: chain.root, actual: rebuilt });
    } else if (entry.stored && entry.stored.root !== chain.root) {
      findings.push({ kind: 'root-mismatch', message: `batch ${entry.id}: the stored root differs from the anchored root (the leaves are intact)`, batchId: entry.id, expected: chain.root, actual: entry.stored.root });
    }
  }
  if (!rootMatches) await pinpoint(tx, entry, findings);
  return findings.length === before && entry.changed.size === 0;
}

function reportMissing(entry: BatchEntry, findings: Finding[]): void {
  const orphaned = new Set(entry.orphans.map((o) => o.position));
  for (const o of entry.orphans) {
    findings.push({ kind: 'record-missing', message: `batch ${entry.id} lists version ${o.versionId} at position ${o.position}, but that version is gone`, batchId: entry.id, position: o.position, versionId: o.versionId });
  }
  for (let position = 0; position < entry.versionIds.length; position++) {
    if (entry.versionIds[position] === 0 && !orphaned.has(position)) {
      findings.push({ kind: 'record-missing', message: `batch ${entry.id} has no version at position ${position}`, batchId: entry.id, position });
    }
  }
}

/** Walks each version's recomputed leaf up its stored proof and names those that miss the anchored root. */
async function pinpoint(tx: TransactionSql, entry: BatchEntry, findings: Finding[]): Promise<void> {
  const chain = entry.chain!;
  const proofs = await tx<{ position: number; proof: Buffer }[]>`
    select position, proof from batch_leaves where batch_id = ${entry.id} and position < ${chain.leafCount}`;
  for (const { position, proof } of proofs) {
    const versionId = entry.versionIds[position];
    if (!versionId || entry.changed.has(position)) continue; // missing or already reported
    const leaf = toHex(entry.leaves.subarray(position * 32, position * 32 + 32));
    const reached = rootFromProof(leaf, splitProof(proof));
    if (reached !== chain.root) {
      findings.push({
        kind: 'content-changed',
        message: `version ${versionId} at position ${position} of batch ${entry.id}: its recomputed leaf is not the leaf anchored there`,
        versionId: String(versionId),
        batchId: entry.id,
        position,
        expected: chain.root,
        actual: reached,
      });
    }
  }
}
