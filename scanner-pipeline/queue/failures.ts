/**
 * @module
 * Whose fault a failed job is. Only the file's own faults (it cannot be decoded, is too large,
 * blank, unsupported: decode/errors.ts) may put it in the quarantine. A service that does not
 * answer (object store, database, chain) or a configuration that does not fit the job (an OCR
 * language this machine lacks) says nothing about the file: such a job waits and is tried again,
 * and the attempt is not counted against it, however long the outage lasts.
 */
import { connectionLost } from '../../services/database/client.ts';
import { isRegistryError } from '../../services/errors.ts';

export interface ServiceFailure {
  /** What did not answer: `object store`, `database`, `chain`, `configuration`. */
  service: string;
  /** One line, for the job's `last_error` and the log. */
  reason: string;
}

/** The object store's SDK marks its errors with `$metadata`; these names are its passing ones. */
const PASSING_STORE_ERRORS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeTooSkewed', 'SlowDown', 'ServiceUnavailable', 'InternalError', 'ThrottlingException']);

/** The failure as a service's, or `undefined` when it may be the file's (or a bug). */
export function serviceFailure(error: unknown): ServiceFailure | undefined {
  const reason = oneLine(error);
  if (isRegistryError(error)) {
    if (error.code === 'service-unavailable') return { service: String(error.details?.service ?? 'a service'), reason };
    if (error.code === 'config-invalid') return { service: 'configuration', reason };
    return undefined;
  }
  if (fromObjectStore(error)) return passingStoreError(error) ? { service: 'object store', reason } : undefined;
  if (connectionLost(error)) return { service: 'database', reason };
  return undefined;
}

function fromObjectStore(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$metadata' in error;
}

function passingStoreError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  // No status at all: the request never got an answer (refused, reset, timed out, no such host).
  if (status === undefined) return true;
  return status >= 500 || status === 429 || PASSING_STORE_ERRORS.has(e.name ?? '') || connectionLost(error);
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
