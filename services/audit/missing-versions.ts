/**
 * @module
 * Whose version was deleted? A batch still lists the version id of a deleted row, but the row
 * was the only place that said which record it belonged to. What survives may still know its
 * commitment: the record's next version names it (`previousCommitment`, committed), and an
 * archive document keeps the commitment of its current version. A candidate is accepted only when
 * its leaf, walked up the batch's stored proof, reaches the root the chain anchored: the chain,
 * not the surviving rows, says that this was the version at that position.
 */
import type { TransactionSql } from '../database/client.ts';
import { leafOf, rootFromProof, toHex, type Hex } from '../ledger/core.ts';
import { splitProof } from '../ledger/batches.ts';
import type { BatchEntry } from './batch-book.ts';
import type { Finding } from './findings.ts';

interface Candidate {
  recordId: string;
  commitment: Hex;
}

export async function nameMissingVersions(tx: TransactionSql, findings: Finding[], book: Map<number, BatchEntry>): Promise<void> {
  const gone = findings.filter((f) => f.kind === 'record-missing' && f.versionId !== undefined && f.batchId !== undefined && !f.recordId);
  if (!gone.length) return;
  const candidates = [...namedByNextVersion(findings), ...(await namedByArchive(tx))];
  if (!candidates.length) return;
  const proofs = await tx<{ version_id: bigint; proof: Buffer }[]>`
    select version_id, proof from batch_leaves where version_id = any(${tx.array(gone.map((f) => f.versionId!))}::bigint[])`;
  const proofOf = new Map(proofs.map((p) => [String(p.version_id), splitProof(p.proof)]));
  for (const f of gone) {
    const root = book.get(f.batchId!)?.chain?.root;
    const proof = proofOf.get(f.versionId!);
    if (!root || !proof) continue;
    const found = candidates.find((c) => rootFromProof(leafOf(c.commitment), proof) === root);
    if (found) {
      f.recordId = found.recordId;
      f.message += `; the chain confirms it was a version of record ${found.recordId} (commitment ${found.commitment})`;
    }
  }
}

/** Versions whose version before is missing name its commitment (reported by the scan). */
function namedByNextVersion(findings: Finding[]): Candidate[] {
  return findings.flatMap((f) =>
    f.kind === 'version-chain-broken' && f.actual === '(missing)' && f.recordId && /^0x[0-9a-f]{64}$/.test(f.expected ?? '')
      ? [{ recordId: f.recordId, commitment: f.expected as Hex }]
      : [],
  );
}

/** Archive documents whose current commitment no version row has any more. */
async function namedByArchive(tx: TransactionSql): Promise<Candidate[]> {
  const rows = await tx<{ id: string; commitment: Buffer }[]>`
    select d.id, d.commitment from archive_documents d
    where not exists (select 1 from record_versions v where v.commitment = d.commitment)`;
  return rows.map((r) => ({ recordId: r.id, commitment: toHex(r.commitment) }));
}
