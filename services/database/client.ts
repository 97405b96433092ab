/**
 * @module
 * The one PostgreSQL client (postgres.js) used by every part, against a real server or the
 * embedded PGlite server alike: the same wire protocol, the same code path.
 */
import postgres from 'postgres';
import type { Config } from '../config/env.ts';
import { ServiceUnavailableError } from '../errors.ts';

export type Sql = postgres.Sql<Record<string, unknown>>;
export type TransactionSql = postgres.TransactionSql<Record<string, unknown>>;

/**
 * Hears what is NOTIFYed on `channel` (payloads only). On a real server, postgres.js's `sql.listen`
 * on a connection of its own ({@link listenOn}); on the embedded database, the serving process's
 * (embedded/database.ts), which its one shared session requires.
 */
export type Listen = (channel: string, onPayload: (payload: string) => void) => Promise<unknown>;

export const listenOn =
  (sql: Sql): Listen =>
  (channel, onPayload) =>
    sql.listen(channel, onPayload);

export interface ConnectOptions {
  /** Shown in pg_stat_activity, so an operator sees which process holds a connection. */
  applicationName?: string;
  /** Overrides the configured pool size (tests, benchmarks). */
  max?: number;
  url?: string;
}

export function connectDatabase(config: Config, options: ConnectOptions = {}): Sql {
  return postgres(options.url ?? config.database.url, {
    max: options.max ?? config.database.poolMax,
    // The embedded server multiplexes at query level; release the connection when idle so that a
    // CLI command can get its turn while `npm start` runs.
    idle_timeout: config.database.embedded ? 2 : 30,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'crvs' },
    types: { bigint: postgres.BigInt },
  }) as unknown as Sql;
}

/**
 * Whether `error` says the session with PostgreSQL is gone or could not be had, rather than that a
 * statement failed: postgres.js's own connection errors (CONNECTION_CLOSED, CONNECT_TIMEOUT, ...),
 * the socket's (ECONNREFUSED, ECONNRESET, ...), a FATAL or PANIC from the server (which closes the
 * session), and the SQLSTATEs of a lost or refused connection (class 08; 57P01-57P03, the server
 * shutting down or starting up). Such a session is never written to again, and a request that met
 * it is "service unavailable", not a fault of ours.
 */
export function connectionLost(error: unknown): boolean {
  const { code, severity } = (error ?? {}) as { code?: unknown; severity?: unknown };
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  if (typeof code !== 'string') return false;
  return code.startsWith('CONNECT') || SOCKET_ERRORS.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code);
}

// ENOTFOUND and EAI_AGAIN: the server's name does not resolve (yet), as during a failover.
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Fails with {@link ServiceUnavailableError} unless the database answers. */
export async function pingDatabase(sql: Sql): Promise<void> {
  try {
    await sql`select 1`;
  } catch (error) {
    throw new ServiceUnavailableError('database', (error as Error).message, error);
  }
}
