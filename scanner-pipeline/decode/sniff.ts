/**
 * @module
 * Tells what a file is from its first bytes (never its name), and turns libvips' error messages
 * into the stable quarantine reasons of {@link UnreadableScanError}.
 */
import { UnreadableScanError } from './errors.ts';

export type ScanFormat = 'jpeg' | 'png' | 'tiff';

const SIGNATURES: Array<[ScanFormat, number[]]> = [
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['tiff', [0x49, 0x49, 0x2a, 0x00]], // little-endian "II*\0"
  ['tiff', [0x4d, 0x4d, 0x00, 0x2a]], // big-endian "MM\0*"
  ['tiff', [0x49, 0x49, 0x2b, 0x00]], // BigTIFF
  ['tiff', [0x4d, 0x4d, 0x00, 0x2b]],
];

/** Image and document formats that are recognised but not taken, by their magic bytes. */
const OTHER_FORMATS: Array<[string, number[]]> = [
  ['PDF', [0x25, 0x50, 0x44, 0x46, 0x2d]], // %PDF-
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['BMP', [0x42, 0x4d]],
  ['WebP', [0x52, 0x49, 0x46, 0x46]],
  ['JPEG 2000', [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50]],
  ['DjVu', [0x41, 0x54, 0x26, 0x54]],
  ['ZIP', [0x50, 0x4b, 0x03, 0x04]],
];

const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b);

/** The scan's format, or an {@link UnreadableScanError} saying why it is not one. */
export function classifyBytes(bytes: Uint8Array): ScanFormat {
  if (bytes.length === 0) throw new UnreadableScanError('empty-file', '0 bytes');
  for (const [format, signature] of SIGNATURES) if (startsWith(bytes, signature)) return format;
  for (const [name, signature] of OTHER_FORMATS) {
    if (startsWith(bytes, signature)) throw new UnreadableScanError('unsupported-format', `a ${name} file`);
  }
  throw new UnreadableScanError('not-an-image', looksLikeText(bytes) ? 'a text file' : 'unknown binary data');
}

function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(head.length < bytes.length ? head.subarray(0, trimUtf8(head)) : head);
    return !/[\u0000-\u0008\u000e-\u001f]/.test(text);
  } catch {
    return false;
  }
}

/** Length of `head` without a UTF-8 sequence cut at its end. */
function trimUtf8(head: Uint8Array): number {
  let end = head.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = head[end - i]!;
    if ((b & 0xc0) !== 0x80) return (b & 0x80) === 0 ? end : end - i;
  }
  return end;
}

/** libvips/sharp failure → quarantine reason. Already-typed errors pass through. */
export function classifySharpError(error: unknown): UnreadableScanError {
  if (error instanceof UnreadableScanError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/exceeds pixel limit/i.test(message)) return new UnreadableScanError('too-many-pixels', message, error);
  if (/unsupported image format/i.test(message)) return new UnreadableScanError('not-an-image', message, error);
  // Premature end, corrupt header or data, bad Huffman/zlib streams, read past the end of a strip:
  // the file is damaged or cut short.
  return new UnreadableScanError('truncated', message, error);
}
