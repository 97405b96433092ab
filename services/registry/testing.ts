/**
 * Test support for the registry API: a real database (tests/support/services.ts), the whole HTTP
 * app driven in process (`app.request`, as Hono's own tests do), tokens per role and office, and
 * example bodies that are valid as they stand.
 */
import type { Hono } from 'hono';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { createApp } from '../http/app.ts';
import { listenOn } from '../database/client.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { createToken, type TokenCacheOptions } from '../access/tokens.ts';
import type { Role } from '../access/roles.ts';
import { registryRoutes } from './routes.ts';
import type { FailedAuthenticationOptions } from './http/failed-authentication.ts';
import { BIRTH_EXAMPLE } from './births/schema.ts';
import { MARRIAGE_EXAMPLE } from './marriages/schema.ts';

export interface Testbed {
  env: TestEnvironment;
  app: Hono;
  metrics: Metrics;
  /** A fresh token of `role` (in `office` for a registrar). */
  token(role: Role, office?: string): Promise<string>;
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

let tokenCounter = 0;

export async function registryTestbed(
  options: { logger?: Logger; tokenCache?: TokenCacheOptions; failedAuthentication?: FailedAuthenticationOptions } = {},
): Promise<Testbed> {
  const env = await useTestEnvironment({ chain: false });
  const logger = options.logger ?? createLogger('silent');
  const metrics = createMetrics({ sql: env.sql, logger, processMetrics: false });
  const app = createApp({ logger, readiness: {}, routers: [registryRoutes({ sql: env.sql, logger, metrics, tokenCache: { listen: listenOn(env.sql), ...options.tokenCache }, failedAuthentication: options.failedAuthentication })] });
  return {
    env,
    app,
    metrics,
    async token(role, office) {
      tokenCounter += 1;
      const { token } = await createToken(env.sql, { name: `${role} ${office ?? 'all'} ${tokenCounter}`, role, office });
      return token;
    },
    async request(method, path, { token, body, headers = {} } = {}) {
      const init: RequestInit = { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      return app.request(path, init);
    },
    close: () => env.close(),
  };
}

/** A request body under construction: tests change it freely, including into something invalid. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Draft = Record<string, any>;

/** The JSON of an answer, for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: Response): Promise<any> => res.json();

let births = 1;

/**
 * A deep copy of the birth example (office 1802, Urgut tumani, Samarqand viloyati) with changes.
 * Each call is another birth, and none is the example's own (tests register that as it stands): a
 * birth is registered once, so the mother of the n-th is born n days before the example's, with a
 * PINFL of her own.
 */
export function birth(change: (b: Draft) => void = () => {}): Draft {
  const b: Draft = structuredClone(BIRTH_EXAMPLE);
  const mother = new Date(`${b.mother.dateOfBirth}T00:00:00Z`);
  mother.setUTCDate(mother.getUTCDate() - births);
  b.mother.dateOfBirth = mother.toISOString().slice(0, 10);
  b.mother.pinfl = `${b.mother.pinfl.slice(0, 8)}${String(births++).padStart(6, '0')}`;
  change(b);
  return b;
}

/** A deep copy of the marriage example (office 2605, Toshkent shahri) with changes. */
export function marriage(change: (m: Draft) => void = () => {}): Draft {
  const m: Draft = structuredClone(MARRIAGE_EXAMPLE);
  change(m);
  return m;
}

/** Two spouses who have never married here: PINFLs and names derived from `n`. */
export function freshMarriage(n: number, change: (m: Draft) => void = () => {}): Draft {
  return marriage((m) => {
    const [a, b] = m.spouses;
    a.pinfl = `3${String(n).padStart(13, '0')}`;
    b.pinfl = `4${String(n).padStart(13, '0')}`;
    a.givenName = `Jasur${letters(n)}`;
    b.givenName = `Nilufar${letters(n)}`;
    change(m);
  });
}

/** `n` written in letters (names admit no digits): 0 → "a", 27 → "bb". */
export function letters(n: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return out;
}

/** Counts of the rows a registration writes, to show that a refused request changed nothing. */
export async function registryState(env: TestEnvironment) {
  const [row] = await env.sql<{ versions: bigint; pending: bigint; records: bigint; people: bigint; counters: string | null }[]>`
    select (select count(*) from record_versions) as versions,
           (select count(*) from ledger_pending) as pending,
           (select count(*) from registry_records) as records,
           (select count(*) from registry_people) as people,
           (select string_agg(office_code || ':' || year || ':' || last_sequence, ',' order by office_code, year) from registration_counters) as counters`;
  return { versions: Number(row!.versions), pending: Number(row!.pending), records: Number(row!.records), people: Number(row!.people), counters: row!.counters };
}
