import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { randomBytes } from 'node:crypto';
import { concat, keccak256 as ethersKeccak256, toUtf8Bytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { canonicalise, commit, keccak256, toHex, commitmentOf, leafOf, newSalt, rootFromProof, sameHex, sealTree, verifyInclusion, RootMismatchError, type Hex } from './core.ts';

const salt = `0x${'11'.repeat(32)}` as Hex;

describe('ledger core (integrity scheme)', () => {
  it('canonicalises JSON as RFC 8785: sorted keys, no white space, ES number form', () => {
    expect(canonicalise({ b: 1, a: [true, null, 'oʻ'], c: 1.0e2 })).toBe('{"a":[true,null,"oʻ"],"b":1,"c":100}');
  });

  it('refuses content JSON cannot carry', () => {
    expect(() => canonicalise({ n: Number.NaN })).toThrow(/canonicalised/);
  });

  // Known-answer vector; reproduce with:
  //   node -e "const {keccak256,concat,toUtf8Bytes}=require('ethers');const s='0x'+'11'.repeat(32);
  //            const c=keccak256(concat([s,toUtf8Bytes('{\"a\":1}')]));console.log(c, keccak256(keccak256(c)))"
  it('commits to keccak256(salt ‖ canonical JSON) and double-hashes the leaf', () => {
    const c = commitmentOf(salt, '{"a":1}');
    expect(c).toBe('0xfddbb972cd81c54cfaf90e88b0fff261400f23bd0cc0169c90de126e35e838aa');
    expect(leafOf(c)).toBe('0xf1dea2dfc70575a7fd1130bd16ae016f40e685c552a9080ae88f9ccc8b2b6d0b');
    expect(leafOf(c)).toBe(StandardMerkleTree.of([[c]], ['bytes32']).leafHash([c]));
  });

  it('gives a different commitment for the same content under another salt', () => {
    expect(commit({ a: 1 }).commitment).not.toBe(commit({ a: 1 }).commitment);
  });

  it('gives every version a salt of its own, 32 bytes, across many draws from the random source', () => {
    const salts = Array.from({ length: 1000 }, () => newSalt());
    expect(salts.every((s) => /^0x[0-9a-f]{64}$/.test(s))).toBe(true);
    expect(new Set(salts).size).toBe(salts.length);
  });

  it('seals proofs that OpenZeppelin verifies, for every leaf of odd and even batches', () => {
    for (const n of [1, 2, 3, 7, 8, 33]) {
      const commitments = Array.from({ length: n }, (_, i) => commit({ i }).commitment);
      const { root, proofs } = sealTree(commitments.map(leafOf));
      commitments.forEach((c, i) => expect(StandardMerkleTree.verify(root, ['bytes32'], [c], proofs[i]!)).toBe(true));
    }
  });

  it('reports both roots when a proof leads elsewhere', () => {
    const leaves = [1, 2, 3].map((i) => leafOf(commit({ i }).commitment));
    const { root, proofs } = sealTree(leaves);
    const forged = leafOf(commit({ i: 9 }).commitment);
    expect(() => verifyInclusion(forged, proofs[0]!, root)).toThrowError(RootMismatchError);
    try {
      verifyInclusion(forged, proofs[0]!, root);
    } catch (error) {
      expect((error as RootMismatchError).expectedRoot).toBe(root);
      expect((error as RootMismatchError).calculatedRoot).toBe(rootFromProof(forged, proofs[0]!));
    }
  });

  it('hashes short and long inputs exactly as an independent keccak256 does', () => {
    for (const size of [0, 1, 32, 64, 255, 256, 1000, 5000]) {
      const bytes = randomBytes(size);
      expect(toHex(keccak256(bytes)), `${size} bytes`).toBe(ethersKeccak256(bytes));
    }
  });

  it('commits to the UTF-8 bytes of names in Cyrillic and Uzbek Latin', () => {
    const canonical = canonicalise({ familyName: 'Жўраев', givenName: 'Oʻktam', place: 'Toshkent — Тошкент' });
    expect(commitmentOf(salt, canonical)).toBe(ethersKeccak256(concat([salt, toUtf8Bytes(canonical)])));
  });

  it('takes hashes and addresses as equal whatever the case of their digits, and nothing else as hex', () => {
    expect(sameHex('0xAbCd', '0xabcd')).toBe(true);
    expect(sameHex('0xabcd', '0xabce')).toBe(false);
    expect(sameHex('abcd', 'abcd')).toBe(false);
    expect(sameHex('0xK', '0xK')).toBe(false);
    expect(sameHex('0xabc', '0xabc')).toBe(false);
    expect(sameHex(null, undefined)).toBe(true);
    expect(sameHex(null, '0xab')).toBe(false);
  });
});
