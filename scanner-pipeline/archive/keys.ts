/**
 * @module
 * Content-addressed object keys: everything stored for a scan lives under the SHA-256 of the
 * original file, so the same bytes always land in the same place and a second copy of a scan can
 * never create a second set of objects. The two-hex-digit prefix spreads keys over S3 partitions.
 */
import path from 'node:path';

export type ObjectRole = 'original' | 'page-image' | 'ocr-text' | 'hocr';

/** One stored object as the ledger commits it: the auditor re-hashes `key` and compares `sha256`. */
export interface StoredObject {
  key: string;
  sha256: string;
  role: ObjectRole;
}

export { sha256Hex } from '../../services/objectstore/client.ts';

const prefix = (area: string, sha256: string) => `${area}/${sha256.slice(0, 2)}/${sha256}`;

/** A file extension safe to put in a key (lower case, letters and digits, else `bin`). */
export function extensionOf(fileName: string): string {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(ext) ? ext : 'bin';
}

export const scanKeys = (sha256: string) => ({
  original: (fileName: string) => `${prefix('scans', sha256)}/original.${extensionOf(fileName)}`,
  pageImage: (page: number, ext = 'png') => `${prefix('scans', sha256)}/page-${page}.${ext}`,
  hocr: (page: number) => `${prefix('scans', sha256)}/page-${page}.hocr`,
  ocrText: () => `${prefix('scans', sha256)}/ocr.txt`,
});

/** Where the bytes of a file wait between `crvs ingest` and the worker that reads them. */
export const incomingKey = (sha256: string) => prefix('incoming', sha256);

/** Where the bytes of a file that could not be read are kept. */
export const quarantineKey = (sha256: string, fileName: string) => `${prefix('quarantine', sha256)}/original.${extensionOf(fileName)}`;
