/**
 * @module
 * The audit's hashing work, as pure functions over plain data so that they run alike in a worker
 * thread and in the calling thread: recompute each version's leaf from its stored content and
 * salt, and rebuild a batch root from recomputed leaves. All hashing is the ledger core's
 * (`services/ledger/core.ts`); nothing here re-implements it.
 */
import { canonicalise, commitmentOf, leafOf, sealLeaves, type Hex } from '../ledger/core.ts';

/** Rows of `record_versions` as the scan reads them (hex without `0x`, content as jsonb text). */
export interface LeafChunk {
  contents: string[];
  salts: string[];
  commitments: string[];
  leaves: string[];
}

/** A version whose stored content and salt no longer give its stored commitment and leaf. */
export interface Mismatch {
  index: number;
  /** Why: the recomputation differs, or the content no longer parses or canonicalises. */
  reason: string;
  expected?: string;
  actual?: string;
}

/** An object a version committed to (`data.objects: [{ key, sha256 }]`), for fixity. */
export interface CommittedObject {
  index: number;
  key: string;
  sha256: string;
}

export interface LeafChunkResult {
  /** The recomputed leaves, 32 bytes each, in row order (zeros where content is unreadable). */
  leaves: Uint8Array;
  mismatches: Mismatch[];
  objects: CommittedObject[];
}

const SHA256_HEX = /^(0x)?[0-9a-fA-F]{64}$/;

export function computeLeaves(chunk: LeafChunk): LeafChunkResult {
  const n = chunk.contents.length;
  const leaves = Buffer.alloc(n * 32);
  const mismatches: Mismatch[] = [];
  const objects: CommittedObject[] = [];
  for (let i = 0; i < n; i++) {
    let content: unknown;
    let commitment: Hex;
    try {
      content = JSON.parse(chunk.contents[i]!);
      commitment = commitmentOf(`0x${chunk.salts[i]!}`, canonicalise(content));
    } catch (error) {
      mismatches.push({ index: i, reason: `content cannot be recomputed: ${(error as Error).message}` });
      continue;
    }
    const leaf = leafOf(commitment);
    leaves.write(leaf.slice(2), i * 32, 'hex');
    const storedCommitment = `0x${chunk.commitments[i]!}`;
    const storedLeaf = `0x${chunk.leaves[i]!}`;
    if (commitment !== storedCommitment) {
      mismatches.push({ index: i, reason: 'stored content and salt no longer give the stored commitment', expected: storedCommitment, actual: commitment });
    } else if (leaf !== storedLeaf) {
      mismatches.push({ index: i, reason: 'the stored leaf is not the leaf of the stored commitment', expected: storedLeaf, actual: leaf });
    }
    for (const object of committedObjects(content)) objects.push({ index: i, ...object });
  }
  return { leaves, mismatches, objects };
}

/**
 * The objects a committed document lists under `data.objects` as `{ key, sha256 }` (archive
 * entries: original scan, derivatives, OCR text). Read generically, whatever the record kind.
 */
export function committedObjects(content: unknown): { key: string; sha256: string }[] {
  const objects = (content as { data?: { objects?: unknown } } | null)?.data?.objects;
  if (!Array.isArray(objects)) return [];
  const out: { key: string; sha256: string }[] = [];
  for (const o of objects as { key?: unknown; sha256?: unknown }[]) {
    if (typeof o?.key === 'string' && o.key && typeof o.sha256 === 'string' && SHA256_HEX.test(o.sha256)) {
      out.push({ key: o.key, sha256: o.sha256.replace(/^0x/, '').toLowerCase() });
    }
  }
  return out;
}

/** The root of the batch tree over `leaves` (32 bytes each, in position order). */
export function computeRoot(leaves: Uint8Array): Uint8Array {
  const buffers: Buffer[] = [];
  for (let off = 0; off < leaves.byteLength; off += 32) buffers.push(Buffer.from(leaves.buffer, leaves.byteOffset + off, 32));
  return sealLeaves(buffers).root;
}
