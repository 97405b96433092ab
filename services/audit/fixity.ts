/**
 * @module
 * Fixity: every stored object a record version committed to (`data.objects: [{ key, sha256 }]`)
 * must still be there with the same SHA-256. A full pass reads every byte, so `--sample N` checks
 * a uniform random sample instead (reservoir sampling, Vitter's Algorithm R, over the scan).
 */
import { randomInt } from 'node:crypto';
import { storedObjectSha256, type ObjectStore } from '../objectstore/client.ts';
import type { Finding } from './findings.ts';

export interface ObjectRef {
  versionId: string;
  key: string;
  /** Committed SHA-256, lowercase hex without 0x. */
  sha256: string;
}

/**
 * Keeps every distinct object, or a uniform random sample of `limit` of them. Later versions of
 * an archive entry list the same objects again; each object is checked once, named by one of
 * the versions that committed to it.
 */
export class ObjectSample {
  readonly limit: number | undefined;
  readonly items: ObjectRef[] = [];
  readonly #distinct = new Set<string>();
  seen = 0;

  constructor(limit?: number) {
    this.limit = limit;
  }

  add(ref: ObjectRef): void {
    const id = `${ref.sha256}:${ref.key}`;
    if (this.#distinct.has(id)) return;
    this.#distinct.add(id);
    this.seen++;
    if (this.limit === undefined || this.items.length < this.limit) {
      this.items.push(ref);
      return;
    }
    const j = randomInt(this.seen);
    if (j < this.limit) this.items[j] = ref;
  }
}

/** Reads each object and compares its SHA-256 with the committed one, `concurrency` at a time. */
export async function checkFixity(
  store: ObjectStore,
  objects: readonly ObjectRef[],
  options: { concurrency?: number; onProgress?: (checked: number) => void } = {},
): Promise<Finding[]> {
  const findings: Finding[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < objects.length; i = next++) {
      const ref = objects[i]!;
      const actual = await storedObjectSha256(store, ref.key);
      if (actual === null) {
        findings.push({ kind: 'object-missing', message: `object ${ref.key} of version ${ref.versionId} is missing`, versionId: ref.versionId, objectKey: ref.key, expected: ref.sha256 });
      } else if (actual !== ref.sha256) {
        findings.push({
          kind: 'object-changed',
          message: `object ${ref.key} of version ${ref.versionId} no longer has its committed SHA-256`,
          versionId: ref.versionId,
          objectKey: ref.key,
          expected: ref.sha256,
          actual,
        });
      }
      options.onProgress?.(1);
    }
  };
  // Each lane streams one object at a time: memory stays flat whatever the size of the scans.
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, objects.length) }, lane));
  return findings;
}
