/**
 * @module
 * Evidence bundles (DESIGN.md, "Evidence bundle"): one self-contained JSON document per anchored
 * record version, enough for anyone holding it and a chain RPC endpoint to check, without the API
 * or the database, that the record is exactly what was anchored. The format is versioned
 * (`format: 'crvs-evidence-v1'`, as OpenZeppelin's tree dump carries `format: 'standard-v1'`).
 *
 * The verifier is in `evidence-verifier.ts`.
 */
import { z } from 'zod';
import { RegistryError } from '../errors.ts';
import { canonicalise, fromHex, isHex32, toHex, type Hex } from './core.ts';
import { splitProof } from './batches.ts';
import type { Db } from './record-versions.ts';
import { checkLocally } from './evidence-verifier.ts';

export const EVIDENCE_FORMAT = 'crvs-evidence-v1';

const hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex digits')
  .transform((v) => v.toLowerCase() as Hex);

/** The bundle's shape. Strict: a field this version does not define is refused, not ignored. */
export const evidenceBundleSchema = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  /** The committed document (schema, record id, version, kind, previous commitment, data). */
  record: z.record(z.string(), z.unknown()),
  /** Its RFC 8785 canonical JSON: the exact bytes committed to. */
  canonical: z.string(),
  salt: hex32,
  /** keccak256(salt ‖ UTF-8(canonical)). */
  commitment: hex32,
  /** keccak256(keccak256(commitment)): the OpenZeppelin standard leaf. */
  leaf: hex32,
  /** Sibling hashes from the leaf upwards (sorted pairs, OpenZeppelin `MerkleProof`). */
  proof: z.array(hex32),
  batchId: z.number().int().positive(),
  leafCount: z.number().int().positive(),
  root: hex32,
  /** EIP-155 chain id, decimal. */
  chainId: z.string().regex(/^[0-9]+$/, 'must be a decimal chain id'),
  contractAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte address'),
  transactionHash: hex32,
  blockNumber: z.number().int().nonnegative(),
});

export type EvidenceBundle = z.infer<typeof evidenceBundleSchema>;

/** Parses a bundle; a wrong shape is a `malformed-request` naming the first bad field. */
export function parseEvidence(json: unknown): EvidenceBundle {
  const result = evidenceBundleSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || 'bundle';
  throw new RegistryError('malformed-request', `not a ${EVIDENCE_FORMAT} evidence bundle: ${field}: ${issue?.message ?? 'invalid'}`, { field });
}

/**
 * The version exists but its batch is not anchored yet, so there is no evidence to give. The API
 * answers 202 Accepted with Retry-After for it; `status` says how far it got.
 */
export class EvidenceNotReadyError extends RegistryError {
  readonly anchoring: 'pending' | 'sealed';
  constructor(versionId: bigint, anchoring: 'pending' | 'sealed') {
    super('conflict', `record version ${versionId} is ${anchoring}, not anchored yet: evidence follows once its batch is anchored`, {
      details: { versionId: String(versionId), status: anchoring },
    });
    this.name = 'EvidenceNotReadyError';
    this.anchoring = anchoring;
  }
}

interface EvidenceRow {
  id: bigint;
  content: Record<string, unknown>;
  salt: Buffer;
  commitment: Buffer;
  leaf: Buffer;
  batch_id: bigint | null;
  proof: Buffer | null;
  root: Buffer | null;
  leaf_count: number | null;
  chain_id: string | null;
  contract_address: string | null;
  transaction_hash: string | null;
  block_number: bigint | null;
}

/**
 * The evidence bundle of one record version, by id or by commitment. Checked before it is handed
 * out (as OpenZeppelin's merkle-tree checks each proof it returns): a bundle that would not verify
 * is an `integrity-failure`, never a file given to a citizen.
 */
export async function evidenceBundle(db: Db, version: bigint | Hex): Promise<EvidenceBundle> {
  const byCommitment = typeof version === 'string';
  if (byCommitment && !isHex32(version.toLowerCase())) throw new RegistryError('validation-failed', 'a commitment is 0x and 64 hex digits');
  const [row] = await db<EvidenceRow[]>`
    select v.id, v.content, v.salt, v.commitment, v.leaf, l.batch_id, l.proof, b.root, b.leaf_count,
           a.chain_id, a.contract_address, a.transaction_hash, a.block_number
    from record_versions v
    left join batch_leaves l on l.version_id = v.id
    left join batches b on b.id = l.batch_id
    left join current_batch_anchors a on a.batch_id = l.batch_id
    where ${byCommitment ? db`v.commitment = ${fromHex(version)}` : db`v.id = ${String(version)}`}`;
  if (!row) throw new RegistryError('not-found', `no record version ${byCommitment ? 'with commitment ' : ''}${version}`);
  if (row.batch_id === null) throw new EvidenceNotReadyError(row.id, 'pending');
  if (row.transaction_hash === null) throw new EvidenceNotReadyError(row.id, 'sealed');

  const canonical = canonicalise(row.content);
  const bundle: EvidenceBundle = {
    format: EVIDENCE_FORMAT,
    record: JSON.parse(canonical) as Record<string, unknown>, // keys in canonical order, for a reader
    canonical,
    salt: toHex(row.salt),
    commitment: toHex(row.commitment),
    leaf: toHex(row.leaf),
    proof: splitProof(row.proof!),
    batchId: Number(row.batch_id),
    leafCount: row.leaf_count!,
    root: toHex(row.root!),
    chainId: row.chain_id!,
    contractAddress: row.contract_address!,
    transactionHash: row.transaction_hash.toLowerCase() as Hex,
    blockNumber: Number(row.block_number),
  };
  const failed = checkLocally(bundle).filter((s) => s.status === 'failed');
  if (failed.length) {
    throw new RegistryError('integrity-failure', `record version ${row.id} no longer matches its ledger entry: ${failed.map((s) => s.detail).join('; ')}`, {
      details: { versionId: String(row.id), failed: failed.map((s) => s.step) },
    });
  }
  return bundle;
}
