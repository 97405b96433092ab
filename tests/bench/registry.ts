/**
 * `POST /v1/births` on real PostgreSQL, driven over HTTP by a load generator in a separate process
 * (tests/bench/_load.ts), next to the baseline measured in the same run: a bare Hono route on the
 * same server that parses the same JSON body and does one INSERT with the same postgres.js client.
 * Goal (issue 4): at least half the bare route's throughput, p99 under 100 ms, zero errors.
 *
 *   node tests/bench/registry.ts           DATABASE_URL, or a server started by infra/postgres.sh
 *
 * Registrations arriving together share a transaction (group commit): the offices' counter rows
 * (locked until commit: numbers without gaps), the ledger versions and their pending entries, the
 * registry index, the audit entries. Registrations of one office queue on its counter row, so each
 * connection registers for its own office (as far as there are offices: the line of each level says
 * how many), as the desks of different offices do; one office alone is shown after. The load is a closed loop (each connection sends its next request when the last
 * is answered), at several levels of concurrency: with group commit, throughput depends on how
 * much work is offered at once, and a single level would measure latency as much as throughput.
 * At each level the two routes run in alternating 5-second slices, so that both see the same
 * machine (the 2-core machine is shared); figures are over all slices of a route.
 *
 * The server is the API as `API_PROCESSES` runs it (services/http/api-processes.ts; the bare route
 * in the same processes, tests/bench/_registry-server.ts), on 1 process and then on 2, one per core:
 * a registration's CPU is mostly HTTP, validation and hashing, which one event loop does one request
 * at a time. The database pool is the same in both (POOL connections, shared out between them).
 * BENCH_SECONDS (per route and level, default 30), BENCH_CONNECTIONS (levels, default 16,32,64),
 * BENCH_API_PROCESSES (default 1,2).
 */
import { execFileSync, fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type { Sql } from '../../services/database/client.ts';
import { migrate } from '../../services/database/migrate.ts';
import { startApiProcesses, type ApiProcesses } from '../../services/http/api-processes.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { createToken } from '../../services/access/tokens.ts';
import { BIRTH_EXAMPLE } from '../../services/registry/births/schema.ts';
import { listOffices } from '../../services/registry/offices.ts';
import { unitByCode } from '../../services/registry/places/places.ts';
import { freePort } from '../support/ports.ts';
import type { LoadResult } from './_load.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const LEVELS = (process.env.BENCH_CONNECTIONS ?? '16,32,64').split(',').map(Number);
const PROCESSES = (process.env.BENCH_API_PROCESSES ?? '1,2').split(',').map(Number);
const P99_GOAL_MS = 100;
const SLICE_SECONDS = 5;
const POOL = 20;
const here = path.dirname(fileURLToPath(import.meta.url));

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

/** CPU seconds used so far by the API processes and by the database's backends. */
function cpuSeconds(server: readonly number[], database: string): { server: number; database: number } {
  const tick = 100; // USER_HZ on Linux
  const used = (pid: string) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / tick;
  };
  let db = 0;
  let api = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (server.includes(Number(pid))) api += used(pid);
      else if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(database)) db += used(pid);
    } catch {
      // the process ended meanwhile
    }
  }
  return { server: api, database: db };
}

const cpu = new Map<string, { server: number; database: number; requests: number }>();

/**
 * A load generator of its own process (_load.ts), kept for all the slices of one route at one level:
 * its JIT warm and its connections open after the warm-up, as one long run's would be, so that no
 * slice measures the generator's own start.
 */
function loadGenerator(url: string, connections: number, jobs: { token: string; body: string }[], measured: { server: number[]; database: string }, key: string) {
  const plan = { url, seconds: 0, connections, jobs, expectStatus: 201, raw: true };
  const child = fork(path.join(here, '_load.ts'), [JSON.stringify(plan)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the load generator exited (${code})`))));
  exited.catch(() => {});
  return {
    async run(seconds: number): Promise<LoadResult> {
      const before = cpuSeconds(measured.server, measured.database);
      const answered = new Promise<LoadResult>((resolve) => child.once('message', (m) => resolve(m as LoadResult)));
      child.send({ seconds });
      const result = await Promise.race([answered, exited]);
      const after = cpuSeconds(measured.server, measured.database);
      const c = cpu.get(key) ?? { server: 0, database: 0, requests: 0 };
      cpu.set(key, { server: c.server + after.server - before.server, database: c.database + after.database - before.database, requests: c.requests + result.ok });
      return result;
    },
    stop: () => void child.kill(),
  };
}

const cpuLine = (key: string) => {
  const c = cpu.get(key)!;
  return `${key.split(':')[1]} server ${((c.server / c.requests) * 1000).toFixed(2)} ms + PostgreSQL ${((c.database / c.requests) * 1000).toFixed(2)} ms`;
};

interface Level {
  connections: number;
  bare: LoadResult;
  births: LoadResult;
}

/** The API on some number of processes, with the levels measured on it. */
interface Server {
  processes: number;
  pool: number;
  api: ApiProcesses;
  origin: string;
  levels: Level[];
}

/**
 * The ratio at each level, and of each route's best throughput within the latency goal: a route's
 * throughput is what it sustains once offered enough concurrent work, and 16 closed-loop
 * connections leave part of the machine idle while registrations go in shared transactions.
 */
function summary(levels: Level[]): string {
  const best = (pick: (l: Level) => LoadResult) =>
    levels.map((l) => ({ connections: l.connections, r: pick(l) })).filter(({ r }) => r.p99 < P99_GOAL_MS && r.errors === 0).sort((a, b) => b.r.perSecond - a.r.perSecond)[0];
  const bare = best((l) => l.bare);
  const births = best((l) => l.births);
  const perLevel = levels.map((l) => `${l.connections}: ${(l.births.perSecond / l.bare.perSecond).toFixed(2)}x (p99 ${l.births.p99.toFixed(1)} ms, errors ${l.births.errors})`).join('; ');
  const peak =
    bare && births
      ? `best within p99 < ${P99_GOAL_MS} ms: bare ${bare.r.perSecond.toFixed(0)}/s (${bare.connections} connections), ` +
        `births ${births.r.perSecond.toFixed(0)}/s (${births.connections} connections): ${(births.r.perSecond / bare.r.perSecond).toFixed(2)}x`
      : `no level kept p99 under ${P99_GOAL_MS} ms with zero errors`;
  return `ratio registrations/bare by connections: ${perLevel}\n${peak} (goal >= 0.5x, p99 < ${P99_GOAL_MS} ms, 0 errors)`;
}

/**
 * Each route at its best on any number of processes: the bare route may do best on fewer processes
 * than registrations do, and the goal is against the best the baseline does on this machine.
 */
function acrossServers(servers: readonly Server[]): string {
  const best = (pick: (l: Level) => LoadResult) =>
    servers
      .flatMap((s) => s.levels.map((l) => ({ processes: s.processes, connections: l.connections, r: pick(l) })))
      .filter(({ r }) => r.p99 < P99_GOAL_MS && r.errors === 0)
      .sort((a, b) => b.r.perSecond - a.r.perSecond)[0];
  const bare = best((l) => l.bare);
  const births = best((l) => l.births);
  if (!bare || !births) return `across processes: no level kept p99 under ${P99_GOAL_MS} ms with zero errors`;
  const at = (b: { processes: number; connections: number }) => `${b.processes} process${b.processes > 1 ? 'es' : ''}, ${b.connections} connections`;
  return (
    `each route at its best: bare ${bare.r.perSecond.toFixed(0)}/s (${at(bare)}), births ${births.r.perSecond.toFixed(0)}/s (${at(births)}, p99 ${births.r.p99.toFixed(1)} ms): ` +
    `${(births.r.perSecond / bare.r.perSecond).toFixed(2)}x (goal >= 0.5x, p99 < ${P99_GOAL_MS} ms, 0 errors)`
  );
}

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
  // This process's own connections: the schema, the tokens, the final count.
  const sql = postgres(target.toString(), { max: 2, onnotice: () => {}, types: { bigint: postgres.BigInt } }) as unknown as Sql;
  try {
    await migrate(sql);
    await sql`create table bench_bare (id bigint generated always as identity primary key, body jsonb not null, created_at timestamptz not null default now())`;

    // One registrar per connection, each in its own office, registering a birth in its region.
    const offices = await listOffices(sql);
    const tokens = new Map<string, string>();
    const jobsFor = async (connections: number) => {
      const jobs = [];
      for (let i = 0; i < connections; i++) {
        const office = offices[Math.floor((i * offices.length) / connections)]!;
        const unit = unitByCode(office.region)!;
        if (!tokens.has(office.code)) tokens.set(office.code, (await createToken(sql, { name: `bench registrar ${office.code}`, role: 'registrar', office: office.code })).token);
        // Each request another child (the load generator fills in {{n}}): a birth is registered once.
        const child = { ...BIRTH_EXAMPLE.child, givenName: `${BIRTH_EXAMPLE.child.givenName}{{n}}`, placeOfBirth: { region: unit.name, district: unit.districts[0]!, settlement: 'Markaz' } };
        jobs.push({ token: tokens.get(office.code)!, body: JSON.stringify({ ...BIRTH_EXAMPLE, office: office.code, child }) });
      }
      return jobs;
    };

    console.log(
      `POST /v1/births vs a bare INSERT route: ${LEVELS.join(', ')} connections from a separate process, ` +
        `${SECONDS} s per route and level in ${SLICE_SECONDS}-s slices, API on ${PROCESSES.join(' and ')} process(es), pool ${POOL} in all`,
    );
    // Every configuration runs from the start, idle while another is measured, and their slices
    // alternate: all see the same machine and the same database, which grows as the run goes on.
    const servers: Server[] = [];
    try {
      for (const processes of PROCESSES) {
        const port = await freePort();
        const pool = Math.ceil(POOL / processes);
        const api = await startApiProcesses({
          processes,
          entry: new URL('./_registry-server.ts', import.meta.url),
          logger: createLogger('silent'),
          settings: { databaseUrl: target.toString(), pool, port },
        });
        servers.push({ processes, pool, api, origin: `http://127.0.0.1:${port}`, levels: [] });
      }
      for (const connections of LEVELS) {
        const jobs = await jobsFor(connections);
        const runs = servers.flatMap((server) =>
          (['/bare', '/v1/births'] as const).map((route) => ({
            server,
            route,
            slices: [] as LoadResult[],
            load: loadGenerator(`${server.origin}${route}`, connections, jobs, { server: server.api.pids(), database: name }, `${server.processes}:${route}`),
          })),
        );
        try {
          for (const r of runs) await r.load.run(2); // warm-up
          cpu.clear();
          for (let done = 0, i = 0; done < SECONDS; done += SLICE_SECONDS, i++) {
            const seconds = Math.min(SLICE_SECONDS, SECONDS - done);
            // Each slice starts with another, so none always follows the same leftovers (autovacuum, WAL).
            for (let k = 0; k < runs.length; k++) {
              const r = runs[(i + k) % runs.length]!;
              r.slices.push(await r.load.run(seconds));
            }
          }
        } finally {
          for (const r of runs) r.load.stop();
        }
        // Fewer offices than connections: some offices are shared by two connections.
        const officesUsed = new Set(jobs.map((j) => (JSON.parse(j.body) as { office: string }).office)).size;
        console.log(`\n${connections} connections, ${officesUsed} offices`);
        for (const server of servers) {
          const [bare, births] = runs.filter((r) => r.server === server).map((r) => merge(r.slices)) as [LoadResult, LoadResult];
          server.levels.push({ connections, bare, births });
          const on = `${server.processes} process${server.processes > 1 ? 'es' : ''}`;
          console.log(line(`  ${on}: bare route, one INSERT`, bare));
          console.log(line(`  ${on}: POST /v1/births`, births));
          console.log(`  ${on}: CPU per request: ${cpuLine(`${server.processes}:/bare`)}; ${cpuLine(`${server.processes}:/v1/births`)}`);
          console.log(`  ${on}: ratio registrations/bare ${(births.perSecond / bare.perSecond).toFixed(2)}x`);
        }
      }
      const [first] = await jobsFor(1);
      console.log();
      for (const server of servers) {
        const generator = loadGenerator(`${server.origin}/v1/births`, LEVELS[0]!, [first!], { server: server.api.pids(), database: name }, 'one office');
        const single = await generator.run(2).then(() => generator.run(Math.min(10, SECONDS))).finally(generator.stop);
        console.log(line(`POST /v1/births, one office, ${LEVELS[0]} connections, ${server.processes} process${server.processes > 1 ? 'es' : ''}`, single));
      }
      for (const server of servers) console.log(`\nAPI on ${server.processes} process${server.processes > 1 ? 'es' : ''} (pool ${server.pool} each): ${summary(server.levels)}`);
      console.log(`\n${acrossServers(servers)}`);
    } finally {
      for (const server of servers) await server.api.stop();
    }

    const [row] = await sql<{ n: bigint; gaps: bigint }[]>`
      select count(*) as n, (select count(*) from (select office_code, registration_year, max(registration_sequence) - count(*) as gap
        from registry_records group by 1, 2) g where gap <> 0) as gaps from registry_records`;
    console.log(`registrations stored ${row!.n}; offices with gaps in their numbers: ${row!.gaps}`);
  } finally {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
