/**
 * @module
 * Typed errors with stable codes, shared by every part of the system.
 *
 * Each error carries a `code` that never changes once published (clients, scripts and the README's
 * error catalogue depend on it) and the HTTP status it maps to. The HTTP layer renders them as
 * RFC 9457 problem+json in one place; the CLI maps them to exit codes in one place.
 */

/** Stable error codes, with the HTTP status each maps to. */
export const ERROR_STATUS = {
  'config-invalid': 500,
  'service-unavailable': 503,
  'validation-failed': 422,
  'malformed-request': 400,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
  'integrity-failure': 500,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface RegistryErrorOptions {
  /** The request field (JSON pointer-like dotted path) or variable that failed. */
  field?: string;
  /** Extra, non-personal details for the problem document. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type the system throws on purpose. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: RegistryErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'RegistryError';
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A configuration variable is missing or wrong; the process must not start. */
export class ConfigError extends RegistryError {
  constructor(variable: string, reason: string) {
    super('config-invalid', `${variable}: ${reason}`, { field: variable });
    this.name = 'ConfigError';
  }
}

/** A service the operation needs (database, object store, chain) cannot be reached. */
export class ServiceUnavailableError extends RegistryError {
  readonly service: string;
  constructor(service: string, reason: string, cause?: unknown) {
    super('service-unavailable', `${service} is unreachable: ${reason}`, { details: { service }, cause });
    this.name = 'ServiceUnavailableError';
    this.service = service;
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}

/**
 * An error's message on one line, for a CLI's stderr or a problem's detail: line breaks (a JSON
 * parser quotes the text it choked on, newlines and all) become spaces, and a long message is cut.
 */
export function oneLineMessage(error: unknown, max = 300): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return message.length > max ? `${message.slice(0, max - 1)}…` : message;
}
