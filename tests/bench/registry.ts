/**
 * `POST /v1/births` on real PostgreSQL, driven over HTTP by a load generator in a separate process
 * (tests/bench/_load.ts), next to the baseline measured in the same run: a bare Hono route on the
 * same server that parses the same JSON body and does one INSERT with the same postgres.js client.
 * Goal (issue 4): at least half the bare route's throughput, p99 under 100 ms, zero errors.
 *
 *   node tests/bench/registry.ts           DATABASE_URL, or a server started by infra/postgres.sh
 *
 * A registration is one transaction: the office's counter row (locked until commit: numbers
 * without gaps), the ledger version and its pending entry, the registry index, the audit entry,
 * plus the token lookup. Registrations of one office queue on that counter row, so each connection
 * registers for its own office, as the desks of different offices do; one office alone is shown
 * after it. The two routes run in alternating 5-second slices, so that both see the same machine
 * (the 2-core machine is shared); figures are over all slices of a route.
 * BENCH_SECONDS (default 30), BENCH_CONNECTIONS (default 16) change the run.
 */
import { execFileSync, execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';
import type { Sql } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { createApp } from '../../services/http/app.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { registryRoutes } from '../../services/registry/routes.ts';
import { createToken } from '../../services/access/tokens.ts';
import { BIRTH_EXAMPLE } from '../../services/registry/births/schema.ts';
import { listOffices } from '../../services/registry/offices.ts';
import { unitByCode } from '../../services/registry/places/places.ts';
import { freePort } from '../support/ports.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SLICE_SECONDS = 5;
const POOL = 20;
const run_ = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const node = process.execPath;

interface LoadResult {
  ok: number;
  errors: number;
  firstErrors: string[];
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  latencies?: number[];
}

/** One figure over several slices of the same route. */
function merge(slices: LoadResult[]): LoadResult {
  const latencies = slices.flatMap((s) => s.latencies ?? []).sort((a, b) => a - b);
  const ok = slices.reduce((n, s) => n + s.ok, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return {
    ok,
    errors: slices.reduce((n, s) => n + s.errors, 0),
    firstErrors: slices.flatMap((s) => s.firstErrors).slice(0, 3),
    seconds,
    perSecond: ok / seconds,
    p50: pct(50),
    p99: pct(99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

function databaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const dir = path.join(tmpdir(), 'crvs-bench-postgres');
  return execFileSync(path.join(here, '../../infra/postgres.sh'), ['start', dir, '55434'], { encoding: 'utf8' }).trim();
}

/** CPU seconds used so far by this process (the server) and by the database's backends. */
function cpuSeconds(database: string): { server: number; database: number } {
  const { user, system } = process.cpuUsage();
  let db = 0;
  const tick = 100; // USER_HZ on Linux
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(database)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      db += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // the process ended meanwhile
    }
  }
  return { server: (user + system) / 1e6, database: db };
}

const cpu = new Map<string, { server: number; database: number; requests: number }>();

async function load(url: string, seconds: number, jobs: { token: string; body: string }[], expectStatus: number, database: string): Promise<LoadResult> {
  const plan = { url, seconds, connections: CONNECTIONS, jobs, expectStatus, raw: true };
  const before = cpuSeconds(database);
  const { stdout } = await run_(node, [path.join(here, '_load.ts'), JSON.stringify(plan)], { maxBuffer: 1 << 26 });
  const after = cpuSeconds(database);
  const result = JSON.parse(stdout) as LoadResult;
  const key = new URL(url).pathname;
  const c = cpu.get(key) ?? { server: 0, database: 0, requests: 0 };
  cpu.set(key, { server: c.server + after.server - before.server, database: c.database + after.database - before.database, requests: c.requests + result.ok });
  return result;
}

const cpuLine = (key: string) => {
  const c = cpu.get(key)!;
  return `${key.padEnd(12)} CPU per request: server ${((c.server / c.requests) * 1000).toFixed(2)} ms, PostgreSQL ${((c.database / c.requests) * 1000).toFixed(2)} ms`;
};

const line = (name: string, r: LoadResult) =>
  `${name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(6)}/s   p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(6)} ms   ` +
  `errors ${r.errors}${r.firstErrors.length ? ` (${r.firstErrors.join('; ')})` : ''}`;

export async function run(): Promise<void> {
  const base = databaseUrl();
  const name = `crvs_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const target = new URL(base);
  target.pathname = `/${name}`;
  const sql = postgres(target.toString(), { max: POOL, onnotice: () => {}, types: { bigint: postgres.BigInt }, connection: { application_name: 'crvs-bench' } }) as unknown as Sql;
  let server: ServerType | undefined;
  try {
    await migrate(sql);
    await sql`create table bench_bare (id bigint generated always as identity primary key, body jsonb not null, created_at timestamptz not null default now())`;

    // The API as `crvs start` mounts it (logs off: both routes would pay for them alike).
    const logger = createLogger('silent');
    const app = createApp({ logger, readiness: {}, routers: [registryRoutes({ sql, logger })] });
    const bare = new Hono().post('/bare', async (c) => {
      const body = await c.req.json();
      await sql`insert into bench_bare (body) values (${sql.json(body)})`;
      return c.json({ ok: true }, 201);
    });
    const root = new Hono().route('/', bare).route('/', app);
    const port = await freePort();
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: root.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
    });
    const origin = `http://127.0.0.1:${port}`;

    // One registrar per connection, each in its own office, registering a birth in its region.
    const offices = await listOffices(sql);
    const jobs = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      const office = offices[Math.floor((i * offices.length) / CONNECTIONS)]!;
      const unit = unitByCode(office.region)!;
      const { token } = await createToken(sql, { name: `bench registrar ${i}`, role: 'registrar', office: office.code });
      const child = { ...BIRTH_EXAMPLE.child, placeOfBirth: { region: unit.name, district: unit.districts[0]!, settlement: 'Markaz' } };
      jobs.push({ token, body: JSON.stringify({ ...BIRTH_EXAMPLE, office: office.code, child }) });
    }
    const oneOffice = [jobs[0]!];

    console.log(`POST /v1/births vs a bare INSERT route: ${CONNECTIONS} connections from a separate process, ${SECONDS} s each in ${SLICE_SECONDS}-s slices, pool ${POOL}`);
    await load(`${origin}/bare`, 2, jobs, 201, name); // warm-up
    await load(`${origin}/v1/births`, 2, jobs, 201, name);
    cpu.clear();
    const bareSlices: LoadResult[] = [];
    const birthSlices: LoadResult[] = [];
    for (let done = 0, i = 0; done < SECONDS; done += SLICE_SECONDS, i++) {
      const seconds = Math.min(SLICE_SECONDS, SECONDS - done);
      // Alternate which goes first, so neither always follows the other's leftovers (autovacuum, WAL).
      if (i % 2 === 0) bareSlices.push(await load(`${origin}/bare`, seconds, jobs, 201, name));
      birthSlices.push(await load(`${origin}/v1/births`, seconds, jobs, 201, name));
      if (i % 2 === 1) bareSlices.push(await load(`${origin}/bare`, seconds, jobs, 201, name));
    }
    const baseline = merge(bareSlices);
    const births = merge(birthSlices);
    const cpuBare = cpuLine('/bare');
    const cpuBirths = cpuLine('/v1/births');
    const single = await load(`${origin}/v1/births`, Math.min(10, SECONDS), oneOffice, 201, name);

    console.log(line('bare route, one INSERT', baseline));
    console.log(line(`POST /v1/births, ${CONNECTIONS} offices`, births));
    console.log(line('POST /v1/births, one office', single));
    console.log(cpuBare);
    console.log(cpuBirths);
    const ratio = births.perSecond / baseline.perSecond;
    console.log(`ratio registrations/bare ${ratio.toFixed(2)}x (goal >= 0.5x); p99 ${births.p99.toFixed(1)} ms (goal < 100 ms); errors ${births.errors} (goal 0)`);

    const [row] = await sql<{ n: bigint; gaps: bigint }[]>`
      select count(*) as n, (select count(*) from (select office_code, registration_year, max(registration_sequence) - count(*) as gap
        from registry_records group by 1, 2) g where gap <> 0) as gaps from registry_records`;
    console.log(`registrations stored ${row!.n}; offices with gaps in their numbers: ${row!.gaps}`);
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
