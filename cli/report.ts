/**
 * @module
 * The one wrapper every `crvs` command goes through (after sigstore/rekor's CLI): a command returns
 * a {@link Report}; this prints it as text, or as JSON with `--json`, and maps the outcome to the
 * exit code: 0 success, 1 a check failed, 2 could not run (one-line reason on stderr).
 */
import type { Command } from 'commander';
import { ZodError } from 'zod';
import { RegistryError, ServiceUnavailableError, oneLineMessage } from '../services/errors.ts';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_CANNOT_RUN = 2;

export interface Report {
  /** false when a check the command performs found a problem (exit 1). */
  ok: boolean;
  /** What `--json` prints. */
  data: unknown;
  /** What a person reads on a terminal. */
  text: string;
}

export const report = (data: unknown, text: string, ok = true): Report => ({ ok, data, text });

/** A bad argument or option: the command cannot run (exit 2). */
export class UsageError extends RegistryError {
  constructor(message: string, field?: string) {
    super('malformed-request', message, { field });
    this.name = 'UsageError';
  }
}

/** Wraps a command body into a commander action with `--json` output and exit codes. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<Report>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const json = Boolean(command.optsWithGlobals().json);
    try {
      const result = await run(...(args as A));
      process.stdout.write(json ? `${JSON.stringify(result.data, null, 2)}\n` : `${result.text}\n`);
      process.exitCode = result.ok ? EXIT_OK : EXIT_CHECK_FAILED;
    } catch (error) {
      process.stderr.write(`crvs: ${oneLine(error)}\n`);
      process.exitCode = EXIT_CANNOT_RUN;
    }
  };
}

export function oneLine(error: unknown): string {
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    return `${issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`;
  }
  // Every command but `crvs start` is a client of the embedded database, which `crvs start` serves.
  const embedded = error instanceof ServiceUnavailableError && error.service === 'database' && !process.env.DATABASE_URL;
  return embedded ? `${oneLineMessage(error)} (the embedded database is served by \`crvs start\`: start it first, or set DATABASE_URL)` : oneLineMessage(error);
}
