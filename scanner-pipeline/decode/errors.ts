/**
 * @module
 * Why a scan cannot be read: one typed error with a stable reason code, which the ingest records as
 * the quarantine reason. The codes are published (quarantine reports, `crvs archive quarantine`)
 * and never change once released.
 */
import { RegistryError } from '../../services/errors.ts';

/** Stable quarantine reasons, each with what it means for the archivist. */
export const UNREADABLE_REASONS = {
  'empty-file': 'the file has no bytes',
  'not-an-image': 'the bytes are not an image (text, unknown binary)',
  'unsupported-format': 'an image or document format the archive does not take (only JPEG, PNG and TIFF)',
  truncated: 'the image data stops early or is corrupt',
  'too-many-pixels': 'the image declares more pixels than allowed (decompression bomb guard)',
  'blank-page': 'no page of the scan carries any ink',
} as const;

export type UnreadableReason = keyof typeof UNREADABLE_REASONS;

/** A scan the pipeline refuses to read; `reason` is what the quarantine keeps. */
export class UnreadableScanError extends RegistryError {
  readonly reason: UnreadableReason;

  constructor(reason: UnreadableReason, detail: string, cause?: unknown) {
    super('validation-failed', `${UNREADABLE_REASONS[reason]}: ${detail}`, { details: { reason }, cause });
    this.name = 'UnreadableScanError';
    this.reason = reason;
  }
}

export function isUnreadableScan(error: unknown): error is UnreadableScanError {
  return error instanceof UnreadableScanError;
}
