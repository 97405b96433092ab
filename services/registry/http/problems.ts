/**
 * @module
 * Turning what clients get wrong into RFC 9457 problem documents (rendered by
 * services/http/problem.ts), never into a 500:
 *
 * - zod validation failures of the body → 422 `validation-failed`; of the path or query → 400
 *   `malformed-request`; both with `field` (dotted path of the first failure) and
 *   `errors: [{ field, reason }]` listing every failure;
 * - Hono's own refusals (malformed JSON → 400, unsupported media type → 415, too large → 413),
 *   which arrive as `HTTPException`s, → the matching stable problem type.
 */
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import { RegistryError, type ErrorCode } from '../../errors.ts';
import { asRegistryError, problemResponse } from '../../http/problem.ts';
import type { Logger } from '../../observability/logger.ts';

export interface FieldError {
  field: string;
  reason: string;
}

type Issue = z.core.$ZodIssue;

/**
 * Every failure of a zod parse of `input` as `{field, reason}`: a field absent from the input is
 * `required`, an unknown one `unknown field`, and a union is resolved to its closest branch.
 * `prefix` is where `input` sits in the request (`['details']` for a correction's details).
 */
export function fieldErrors(issues: readonly Issue[], input: unknown, prefix: readonly PropertyKey[] = []): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The branch with the fewest failures is the one the client most likely meant.
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      out.push(...fieldErrors(closest, at(input, issue.path), path));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: dotted([...path, key]), reason: 'unknown field' });
    } else {
      out.push({ field: dotted(path), reason: issue.code !== 'custom' && absent(input, issue.path) ? 'required' : issue.message.replace(/^Invalid input: /, '') });
    }
  }
  return out;
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function absent(input: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return input === undefined;
  const parent = at(input, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && !Object.hasOwn(parent, path[path.length - 1]!);
}

export const dotted = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/** A validation failure with every field error; the first one names `field`. */
export function validationFailed(errors: readonly FieldError[], code: ErrorCode = 'validation-failed'): RegistryError {
  const first = errors[0] ?? { field: '', reason: 'invalid' };
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new RegistryError(code, `${first.field || 'body'}: ${first.reason}${more}`, {
    field: first.field || undefined,
    details: { errors },
  });
}

/**
 * zod-openapi's `defaultHook`: failures become problems; successes pass through. On failure,
 * @hono/zod-validator passes the raw input as `data` too (its type does not say so), which tells a
 * missing field from a wrong one.
 */
export function validationHook(result: { success: boolean; data?: unknown; error?: { issues: Issue[] }; target: string }, _c: Context): void {
  if (result.success) return;
  const code: ErrorCode = result.target === 'json' ? 'validation-failed' : 'malformed-request';
  throw validationFailed(fieldErrors(result.error?.issues ?? [], result.data), code);
}

const HTTP_EXCEPTION_CODES: Record<number, ErrorCode> = {
  400: 'malformed-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
};

export function toRegistryError(error: unknown): RegistryError {
  if (error instanceof HTTPException) {
    const code = HTTP_EXCEPTION_CODES[error.status] ?? (error.status < 500 ? 'malformed-request' : 'internal');
    const message = error.status === 415 ? 'the body must be application/json' : error.message || 'the request could not be read';
    return new RegistryError(code, message, { cause: error });
  }
  return asRegistryError(error);
}

/** The registry API's error handler: one place where errors become answers. */
export function registryErrorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    const problem = toRegistryError(error);
    const log = (c.get('log') as Logger | undefined) ?? logger;
    if (problem.status >= 500) log.error({ err: error, path: c.req.path }, 'request failed');
    const requestId = c.get('requestId') as string | undefined;
    const headers: Record<string, string> = requestId ? { 'x-request-id': requestId } : {};
    if (problem.code === 'unauthenticated') headers['www-authenticate'] = 'Bearer realm="crvs"';
    return problemResponse(c, problem, headers);
  };
}
