/**
 * @module
 * The audit's hashing work, as pure functions over plain data so that they run alike in a worker
 * thread and in the calling thread: recompute each version's leaf from its stored content and
 * salt, and rebuild a batch root from recomputed leaves. All hashing is the ledger core's
 * (`services/ledger/core.ts`); nothing here re-implements it.
 */
import { canonicalise, commitmentOf, leafOf, sealLeaves, type Hex } from '../ledger/core.ts';
import { indexDifferences, NameKeys, type IndexDifference } from './people-index.ts';

/** Rows of `record_versions` as the scan reads them (hex without `0x`, content as jsonb text). */
export interface LeafChunk {
  contents: string[];
  salts: string[];
  commitments: string[];
  leaves: string[];
  /** The row's own columns, to compare with what its committed content says (absent: not compared). */
  identities?: RowIdentity[];
  /** Each row's registry index where it is a registration's current version (people-index.ts, indexedColumn); absent: not compared. */
  indexed?: (string | null)[];
}

/**
 * What a row says about itself outside the commitment: its record, version and kind columns, its
 * previous_commitment column, and the stored commitment of the record's version before (read by
 * the scan; null when that version is not in the ledger). Hex without `0x`.
 */
export interface RowIdentity {
  recordId: string;
  version: number;
  kind: string;
  previousColumn: string | null;
  before: string | null;
}

/** A version whose row disagrees with its own committed content, or whose link to the version before is broken. */
export interface IdentityMismatch {
  index: number;
  kind: 'identity-mismatch' | 'version-chain-broken';
  reason: string;
  expected?: string;
  actual?: string;
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
  identities: IdentityMismatch[];
  objects: CommittedObject[];
  /** Registrations whose people index or birth keys differ from what their version committed. */
  index: { index: number; difference: IndexDifference }[];
}

/** Names repeat across a register: their keys are worked out once per worker, up to a bound on memory. */
let nameKeys = new NameKeys();
const NAME_KEYS_KEPT = 200_000;

const SHA256_HEX = /^(0x)?[0-9a-fA-F]{64}$/;

export function computeLeaves(chunk: LeafChunk): LeafChunkResult {
  const n = chunk.contents.length;
  const leaves = Buffer.alloc(n * 32);
  const mismatches: Mismatch[] = [];
  const identities: IdentityMismatch[] = [];
  const objects: CommittedObject[] = [];
  const index: LeafChunkResult['index'] = [];
  if (nameKeys.size > NAME_KEYS_KEPT) nameKeys = new NameKeys();
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
    } else {
      if (leaf !== storedLeaf) mismatches.push({ index: i, reason: 'the stored leaf is not the leaf of the stored commitment', expected: storedLeaf, actual: leaf });
      // Content that no longer gives its commitment is reported as changed; its identity means nothing.
      const identity = chunk.identities?.[i];
      const broken = identity && checkIdentity(content as CommittedIdentity, identity);
      if (broken) identities.push({ index: i, ...broken });
      // A version moved to another record says nothing of that record's index (its own finding says enough).
      const indexed = broken?.kind !== 'identity-mismatch' && chunk.indexed?.[i];
      const difference = indexed && indexDifferences(content, indexed, nameKeys);
      if (difference) index.push({ index: i, difference });
    }
    for (const object of committedObjects(content)) objects.push({ index: i, ...object });
  }
  return { leaves, mismatches, identities, objects, index };
}

interface CommittedIdentity {
  recordId?: unknown;
  version?: unknown;
  kind?: unknown;
  previousCommitment?: unknown;
}

/**
 * The columns an application reads a record by (record_id, version, kind) are not committed; the
 * content is. A version moved to another record, or renumbered, keeps its commitment but no longer
 * agrees with its row. Then the link: version n names the stored commitment of version n − 1
 * (DESIGN.md, "Versions"), version 1 names none.
 */
export function checkIdentity(content: CommittedIdentity, row: RowIdentity): Omit<IdentityMismatch, 'index'> | null {
  const committed = `${String(content.recordId)} v${String(content.version)} (${String(content.kind)})`;
  const stored = `${row.recordId} v${row.version} (${row.kind})`;
  if (committed !== stored) {
    return { kind: 'identity-mismatch', reason: 'its row names another record, version or kind than its committed content', expected: committed, actual: stored };
  }
  const named = typeof content.previousCommitment === 'string' ? content.previousCommitment.replace(/^0x/, '').toLowerCase() : null;
  if (row.version === 1) {
    if (named !== null) return { kind: 'version-chain-broken', reason: 'version 1 names a version before it', expected: '(none)', actual: `0x${named}` };
  } else if (row.before === null) {
    return { kind: 'version-chain-broken', reason: `version ${row.version - 1} of the record, which it names, is not in the ledger`, expected: named ? `0x${named}` : '(none)', actual: '(missing)' };
  } else if (named !== row.before) {
    return { kind: 'version-chain-broken', reason: `it does not name the stored commitment of version ${row.version - 1}`, expected: `0x${row.before}`, actual: named ? `0x${named}` : '(none)' };
  }
  if ((row.previousColumn ?? null) !== named) {
    return { kind: 'version-chain-broken', reason: 'its previous_commitment column differs from the commitment its content names', expected: named ? `0x${named}` : '(none)', actual: row.previousColumn ? `0x${row.previousColumn}` : '(none)' };
  }
  return null;
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
