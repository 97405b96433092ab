/**
 * @module
 * RFC 9457 problem details: the one place where errors become HTTP answers.
 *
 * Hono's default error handler answers plain text; every 4xx and 5xx of this API is instead an
 * `application/problem+json` document whose `type` is a stable URN built from the error's code
 * (compare sigstore/rekor `pkg/api/error.go`). Internal errors never leak their message.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ERROR_STATUS, RegistryError, ServiceUnavailableError, type ErrorCode } from '../errors.ts';
import { connectionLost } from '../database/client.ts';

/** Human titles of the stable problem types, one per error code. */
export const PROBLEM_TITLES: Record<ErrorCode, string> = {
  'config-invalid': 'Server misconfigured',
  'service-unavailable': 'Service unavailable',
  'validation-failed': 'Validation failed',
  'malformed-request': 'Malformed request',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  'not-found': 'Not found',
  conflict: 'Conflict',
  'rate-limited': 'Too many requests',
  'integrity-failure': 'Integrity failure',
  internal: 'Internal server error',
};

export const problemType = (code: ErrorCode): string => `urn:crvs:problem:${code}`;

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  field?: string;
  [extension: string]: unknown;
}

export function toProblem(error: RegistryError, instance?: string): ProblemDocument {
  // Said in full: which service is down, and which ledger check a record failed (for the staff
  // and auditors who use the API, not a fault in the code); other 5xx details stay in the log.
  const internal = error.status >= 500 && error.code !== 'service-unavailable' && error.code !== 'integrity-failure';
  return {
    type: problemType(error.code),
    title: PROBLEM_TITLES[error.code],
    status: error.status,
    detail: internal ? 'The server could not complete the request.' : error.message,
    ...(instance ? { instance } : {}),
    ...(error.field ? { field: error.field } : {}),
    ...(!internal && error.details ? error.details : {}),
  };
}

export function problemResponse(c: Context, error: RegistryError, headers: Record<string, string> = {}): Response {
  const body = toProblem(error, c.req.path);
  return c.json(body, error.status as ContentfulStatusCode, { 'content-type': 'application/problem+json', ...headers });
}

export function asRegistryError(error: unknown): RegistryError {
  if (error instanceof RegistryError) return error;
  // A session PostgreSQL ended (restart, failover) is the database being unavailable, not a bug.
  // A change may have committed just before the session ended: the client is told to look first.
  if (connectionLost(error)) {
    return new ServiceUnavailableError('database', 'the connection was lost; if this request was to change something, send it again as it was (with the same Idempotency-Key), or look it up first', error);
  }
  return new RegistryError('internal', (error as Error)?.message ?? String(error), { cause: error });
}

export { ERROR_STATUS };
