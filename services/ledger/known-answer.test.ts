/**
 * A known-answer evidence bundle, committed as a file (`fixtures/known-answer-evidence-v1.json`):
 * Uzbek Latin and Cyrillic names, escapes and a non-ASCII symbol, in a five-leaf batch (the odd
 * node promoted). Anyone writing their own verifier can check it against this file; here it pins
 * the integrity scheme, so that a change to canonicalisation, hashing or the tree shape cannot pass
 * unnoticed, and it is recomputed with independent code (ethers' keccak256, OpenZeppelin's merkle-tree).
 */
import { readFileSync } from 'node:fs';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { concat, keccak256, toUtf8Bytes } from 'ethers';
import { describe, expect, it } from 'vitest';
import { parseEvidence } from './evidence.ts';
import { checkLocally } from './evidence-verifier.ts';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/known-answer-evidence-v1.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const bundle = parseEvidence(fixture);

describe('the known-answer evidence bundle', () => {
  it('passes every step that needs no chain', () => {
    expect(checkLocally(bundle).map((s) => [s.step, s.status])).toEqual([
      ['canonical', 'passed'],
      ['commitment', 'passed'],
      ['leaf', 'passed'],
      ['inclusion', 'passed'],
    ]);
  });

  it('has the commitment, leaf and root this scheme has always given', () => {
    expect(bundle.commitment).toBe('0x358c13639cdf0f3d8480c091772c30a5359ae4a59f589a6c97f4d65adc8d01d5');
    expect(bundle.leaf).toBe('0x9cfa3033751beb89015b0c19b10dae32a13d79afb200d1b0ff2e4f71ddd1bb68');
    expect(bundle.root).toBe('0xe3bc564631f1fc5ae4f08a4068bbac724898ef9db8e37fdef1da72bb42be8598');
  });

  it('is reproduced by independent code: ethers for the hashes, OpenZeppelin for the proof', () => {
    expect(keccak256(concat([bundle.salt, toUtf8Bytes(bundle.canonical)]))).toBe(bundle.commitment);
    expect(keccak256(keccak256(bundle.commitment))).toBe(bundle.leaf);
    expect(StandardMerkleTree.verify(bundle.root, ['bytes32'], [bundle.commitment], bundle.proof)).toBe(true);
  });

  it('fails at the commitment step when one character of the committed text changes', () => {
    const altered = { ...bundle, canonical: bundle.canonical.replace('Urgut', 'Urgur') };
    expect(checkLocally(altered).find((s) => s.status === 'failed')?.step).toBe('canonical');
    expect(checkLocally(altered).find((s) => s.step === 'commitment')?.status).toBe('failed');
  });
});
