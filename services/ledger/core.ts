/**
 * @module
 * The integrity scheme of DESIGN.md, as pure functions over hex strings. Everything that commits,
 * seals, proves or verifies imports this module; nothing re-implements it (after
 * OpenZeppelin/merkle-tree `src/core.ts`: a pure core, I/O kept outside).
 *
 *   canonical  = RFC 8785 JSON Canonicalization Scheme of the content
 *   commitment = keccak256(salt ‖ UTF-8(canonical))          salt: 32 random bytes per version
 *   leaf       = keccak256(keccak256(commitment))            OpenZeppelin StandardMerkleTree leaf of one
 *                                                            bytes32 (abi.encode(bytes32) is the 32 bytes)
 *   tree       = merkletreejs, keccak256, sorted pairs, leaves in commit order, odd node promoted;
 *                every proof verifies with OpenZeppelin's `MerkleProof.verify`.
 *
 * The double hash of the leaf means an inner node (hash of 64 bytes) can never pass as a leaf.
 */
import { randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
// keccak256 is the hot path of sealing, auditing and registering. hash-wasm's WebAssembly Keccak
// is 5x faster than pure-JS js-sha3 on leaves and tree nodes (32 and 64 bytes) and 2.5x faster
// than the `keccak` package's native binding on record content (about 1 KB): no stream object per
// hash, one copy into WASM memory (measured on this 2-core machine, tests/bench/audit.ts).
import { createKeccak } from 'hash-wasm';
import { MerkleTree } from 'merkletreejs';
import { RegistryError } from '../errors.ts';

export type Hex = `0x${string}`;

const HEX32 = /^0x[0-9a-f]{64}$/;

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

export function fromHex(hex: string): Buffer {
  return Buffer.from(hex.startsWith('0x') ? hex.slice(2) : hex, 'hex');
}

export function isHex32(value: unknown): value is Hex {
  return typeof value === 'string' && HEX32.test(value);
}

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

/**
 * Two hashes or addresses are the same bytes, whatever the case of their hex digits (EIP-55
 * addresses, hashes as tools print them). Anything not `0x` hex is never equal; two absent values
 * (a first version's previous commitment) are.
 */
export function sameHex(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return a == null && b == null;
  return HEX.test(a) && HEX.test(b) && a.toLowerCase() === b.toLowerCase();
}

// One hasher per thread (each worker thread loads this module anew). It is synchronous between
// init() and digest(), so no two hashes can interleave on it.
const hasher = await createKeccak(256);

export function keccak256(bytes: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(bytes);
  return hasher.digest('binary');
}

/**
 * RFC 8785 canonical JSON of `content`. Refuses what JSON cannot carry faithfully (undefined,
 * functions, non-finite numbers) rather than committing to something other than what was given.
 */
export function canonicalise(content: unknown): string {
  let out: string | undefined;
  try {
    out = canonicalize(content);
  } catch (error) {
    throw new RegistryError('validation-failed', `content cannot be canonicalised: ${(error as Error).message}`, { cause: error });
  }
  if (out === undefined) throw new RegistryError('validation-failed', 'content cannot be canonicalised: not JSON');
  return out;
}

// Salts are drawn from the CSPRNG 64 at a time: one call per salt costs more than the salt's
// commitment hash (as node:crypto's randomUUID keeps a cache of random bytes for the same reason).
// Every salt is still 32 fresh bytes, never handed out twice.
const SALTS_PER_DRAW = 64;
let saltBytes = Buffer.alloc(0);
let saltOffset = 0;

/** 32 fresh random bytes. Civil records have little entropy; the salt stops guessing from a leaf. */
export function newSalt(): Hex {
  if (saltOffset === saltBytes.length) {
    saltBytes = randomBytes(32 * SALTS_PER_DRAW);
    saltOffset = 0;
  }
  saltOffset += 32;
  return toHex(saltBytes.subarray(saltOffset - 32, saltOffset));
}

/** keccak256(salt ‖ UTF-8 bytes of the canonical JSON). */
export function commitmentOf(salt: Hex, canonical: string): Hex {
  const s = fromHex(salt);
  if (s.length !== 32) throw new RegistryError('validation-failed', 'salt must be 32 bytes');
  hasher.init();
  hasher.update(s);
  hasher.update(canonical); // hash-wasm encodes strings as UTF-8
  return toHex(hasher.digest('binary'));
}

/** The OpenZeppelin standard leaf of one bytes32 value: keccak256(keccak256(commitment)). */
export function leafOf(commitment: Hex): Hex {
  return toHex(leafBytes(fromHex(commitment)));
}

function leafBytes(commitment: Uint8Array): Uint8Array {
  return keccak256(keccak256(commitment));
}

/** Canonical form, commitment and leaf of one record version's content. */
export function commit(content: unknown, salt: Hex = newSalt()): { canonical: string; salt: Hex; commitment: Hex; leaf: Hex } {
  const canonical = canonicalise(content);
  const commitment = commitmentOf(salt, canonical);
  return { canonical, salt, commitment, leaf: leafOf(commitment) };
}

/** Hash of a sorted pair, as OpenZeppelin's `Hashes.commutativeKeccak256`. */
function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  return Buffer.compare(a, b) <= 0 ? keccak256(Buffer.concat([a, b])) : keccak256(Buffer.concat([b, a]));
}

export interface SealedTree<T> {
  root: T;
  /** proofs[i] proves leaves[i]; sibling hashes from the leaf upwards. */
  proofs: T[][];
}

/**
 * Builds the batch tree over `leaves` (in commit order) and every leaf's proof in O(n log n):
 * each proof is read by index from the tree's layers, never by looking the leaf up by value
 * (merkletreejs' `getProof(leaf)` without an index is a linear scan, quadratic over a batch).
 * Works on bytes, since sealing a batch of 100,000 should cost little more than hashing it; hex
 * conversion is for the edges ({@link sealTree}). As OpenZeppelin's merkle-tree does, it checks
 * what it hands out: a sample of proofs is walked back to the root (all of them for small batches).
 */
export function sealLeaves(leaves: readonly Buffer[]): SealedTree<Buffer> {
  if (leaves.length === 0) throw new RegistryError('validation-failed', 'a batch needs at least one leaf');
  const tree = new MerkleTree(leaves as Buffer[], (data: Buffer) => Buffer.from(keccak256(data)), { sortPairs: true });
  const root = tree.getRoot();
  const proofs = leaves.map((leaf, index) => tree.getProof(leaf, index).map((step) => step.data));
  const stride = Math.max(1, Math.floor(leaves.length / 64));
  for (let i = 0; i < leaves.length; i += stride) {
    let node: Uint8Array = leaves[i]!;
    for (const sibling of proofs[i]!) node = hashPair(node, sibling);
    if (Buffer.compare(node, root) !== 0) throw new RootMismatchError(toHex(root), toHex(node));
  }
  return { root, proofs };
}

/** {@link sealLeaves} over hex strings. */
export function sealTree(leaves: readonly Hex[]): SealedTree<Hex> {
  const sealed = sealLeaves(leaves.map(fromHex));
  return { root: toHex(sealed.root), proofs: sealed.proofs.map((proof) => proof.map(toHex)) };
}

/** The root a proof leads to from `leaf` (OpenZeppelin `MerkleProof.processProof`, sorted pairs). */
export function rootFromProof(leaf: Hex, proof: readonly Hex[]): Hex {
  let node: Uint8Array = fromHex(leaf);
  for (const sibling of proof) node = hashPair(node, fromHex(sibling));
  return toHex(node);
}

/** A computed root differs from the expected one (after transparency-dev's RootMismatchError). */
export class RootMismatchError extends RegistryError {
  readonly expectedRoot: Hex;
  readonly calculatedRoot: Hex;
  constructor(expectedRoot: Hex, calculatedRoot: Hex) {
    super('integrity-failure', `root mismatch: expected ${expectedRoot}, calculated ${calculatedRoot}`, {
      details: { expectedRoot, calculatedRoot },
    });
    this.name = 'RootMismatchError';
    this.expectedRoot = expectedRoot;
    this.calculatedRoot = calculatedRoot;
  }
}

/** Compute, then compare: throws {@link RootMismatchError} carrying both roots. */
export function verifyInclusion(leaf: Hex, proof: readonly Hex[], expectedRoot: Hex): void {
  const calculated = rootFromProof(leaf, proof);
  if (calculated !== expectedRoot.toLowerCase()) throw new RootMismatchError(expectedRoot, calculated);
}
