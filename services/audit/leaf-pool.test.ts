import { afterAll, describe, expect, it } from 'vitest';
import { commit, fromHex, sealTree } from '../ledger/core.ts';
import { LeafPool } from './leaf-pool.ts';
import { committedObjects, type LeafChunk } from './leaf-work.ts';

const pool = LeafPool.start(2);
afterAll(() => pool.close());

const versions = Array.from({ length: 40 }, (_, i) => ({ content: { schema: 'crvs/record-version/v1', data: { child: `Aziza ${i}`, i } }, ...commit({ schema: 'crvs/record-version/v1', data: { child: `Aziza ${i}`, i } }) }));
const bare = (hex: string) => hex.slice(2);

function chunkOf(list: typeof versions): LeafChunk {
  return {
    // As PostgreSQL returns jsonb as text: spaces, keys reordered; the audit must canonicalise again.
    contents: list.map((v) => JSON.stringify(v.content, null, 1)),
    salts: list.map((v) => bare(v.salt)),
    commitments: list.map((v) => bare(v.commitment)),
    leaves: list.map((v) => bare(v.leaf)),
  };
}

describe('the audit hashing pool', () => {
  it('recomputes in worker threads exactly the leaves the ledger core committed to', async () => {
    const result = await pool.leaves(chunkOf(versions));
    expect(result.mismatches).toEqual([]);
    expect(Buffer.from(result.leaves).toString('hex')).toBe(versions.map((v) => bare(v.leaf)).join(''));
  });

  it('names the row whose stored content no longer gives its stored commitment', async () => {
    const chunk = chunkOf(versions.slice(0, 3));
    chunk.contents[1] = chunk.contents[1]!.replace('Aziza', 'Aziz');
    const result = await pool.leaves(chunk);
    expect(result.mismatches).toEqual([expect.objectContaining({ index: 1, expected: versions[1]!.commitment })]);
  });

  it('rebuilds the root that sealing the batch produced', async () => {
    const leaves = Buffer.concat(versions.map((v) => fromHex(v.leaf)));
    expect(Buffer.from(await pool.root(leaves)).toString('hex')).toBe(bare(sealTree(versions.map((v) => v.leaf)).root));
  });
});

describe('objects committed for fixity', () => {
  it('reads data.objects of any record kind, and nothing that is not a key with a SHA-256', () => {
    const sha = 'ab'.repeat(32);
    const content = { kind: 'archive-entry', data: { objects: [{ key: 'originals/a', sha256: `0x${sha.toUpperCase()}`, role: 'original' }, { key: 'x', sha256: 'nope' }, { sha256: sha }] } };
    expect(committedObjects(content)).toEqual([{ key: 'originals/a', sha256: sha }]);
    expect(committedObjects({ data: { objects: 'none' } })).toEqual([]);
  });
});
