/**
 * @module
 * Refused authentications are counted per client address (`clientKey`: the TCP peer, IPv6 per
 * /64, as the public page counts). Past `limit` in a window, that address's requests without a
 * valid token are answered 429 (RFC 6585 §4, with Retry-After) instead of 401, and no longer
 * written to the audit trail one by one: every refused write is otherwise a row, so a client
 * hammering the API without a token would be a flood of writes. The first refusal over the limit
 * in each window is logged instead.
 *
 * Only refusals are counted, and a valid token always passes: a Public Service Center whose desks
 * share one NAT address keeps working while one of its machines sends a stale token in a loop.
 * The counters live in this process's memory (hono-rate-limiter's MemoryStore); several API
 * processes each count on their own, each allowed its share of the limit (api-process-entry.ts).
 */
import type { Context } from 'hono';
import type { RegistryEnv } from '../context.ts';
import { MemoryStore } from 'hono-rate-limiter';
import { RegistryError } from '../../errors.ts';
import { clientKey } from '../../http/client-address.ts';

/** Refused authentications per address and window before 429, unless told otherwise. */
export const DEFAULT_REFUSALS_PER_WINDOW = 60;

export interface FailedAuthenticationOptions {
  /** Refused authentications per address and window before 429 (default {@link DEFAULT_REFUSALS_PER_WINDOW}). */
  limit?: number;
  /** Window length (default one minute). */
  windowMs?: number;
}

export class FailedAuthentications {
  readonly limit: number;
  readonly windowMs: number;
  readonly #store = new MemoryStore();

  constructor(options: FailedAuthenticationOptions = {}) {
    this.limit = options.limit ?? DEFAULT_REFUSALS_PER_WINDOW;
    this.windowMs = options.windowMs ?? 60_000;
    this.#store.init({ windowMs: this.windowMs } as Parameters<MemoryStore['init']>[0]);
  }

  /**
   * Counts one refused authentication from the client of `c`, and answers the error to give:
   * `unauthenticated` within the limit, `rate-limited` (with Retry-After set) past it.
   */
  refuse(c: Context<RegistryEnv>, reason: string): RegistryError {
    const client = clientKey(c);
    const { totalHits, resetTime } = this.#store.increment(client) as { totalHits: number; resetTime: Date };
    if (totalHits <= this.limit) return new RegistryError('unauthenticated', reason);
    const retryAfter = Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000));
    c.header('Retry-After', String(retryAfter));
    if (totalHits === this.limit + 1) c.get('log').warn({ client, limit: this.limit, windowMs: this.windowMs }, 'refused authentications over the limit: answering 429 and no longer auditing each');
    return new RegistryError('rate-limited', `too many refused authentications from this address: at most ${this.limit} per ${Math.round(this.windowMs / 1000)} s`, {
      details: { retryAfterSeconds: retryAfter },
    });
  }

  /** Stops the store's clean-up timer. */
  close(): void {
    this.#store.shutdown();
  }
}
