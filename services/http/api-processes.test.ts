/**
 * The API served by several processes (`API_PROCESSES=2`, as `crvs start` runs it on real
 * PostgreSQL): registrations through both keep gapless numbers, a scrape shows the whole API, a
 * process that dies is replaced, and stopping finishes the registration in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { freePort } from '../../tests/support/ports.ts';
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../observability/logger.ts';
import { startSystem, withoutChainKeys, type RunningSystem } from '../system.ts';
import { createToken } from '../access/tokens.ts';
import { birth } from '../registry/testing.ts';

let env: TestEnvironment;
let system: RunningSystem | undefined;
let registrar: string;
let url: string;

beforeAll(async () => {
  env = await useTestEnvironment({ env: { API_PROCESSES: '2' } });
  env.env.PORT = String(await freePort());
  system = await startSystem(loadConfig(env.env), createLogger('silent'));
  url = system.url;
  registrar = (await createToken(env.sql, { name: 'Urgut registrar', role: 'registrar', office: '1802' })).token;
}, 60_000);
afterAll(async () => {
  await system?.stop();
  await env.close();
});

/** A birth registered on a connection of its own, so that the primary hands them to both processes. */
const register = (): Promise<{ status: number; body: any }> =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify(birth());
    const req = request(`${url}/v1/births`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${registrar}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject).end(body);
  });

/** The value of an unlabelled or labelled sample in a Prometheus exposition, once per line found. */
const samples = (text: string, sample: string) => text.split('\n').filter((l) => l.startsWith(`${sample} `)).map((l) => Number(l.split(' ')[1]));

describe('the API on two processes', () => {
  it('runs two API processes beside the primary', () => {
    const pids = system!.apiProcesses!();
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(process.pid);
  });

  it('gives the API processes no chain signing key', () => {
    const config = loadConfig({ ...env.env, CHAIN_ADMIN_PRIVATE_KEY: env.anchorPrivateKey });
    const given = withoutChainKeys(config);
    expect(given.chain).toMatchObject({ anchorPrivateKey: undefined, adminPrivateKey: undefined, contractAddress: config.chain.contractAddress });
    expect(JSON.stringify(given)).not.toContain(env.anchorPrivateKey.replace(/^0x/, ''));
  });

  it('numbers registrations made through both processes without gaps or duplicates', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, register));
    expect(answers.map((r) => r.status)).toEqual(Array(40).fill(201));
    const numbers = answers.map((a) => Number(String(a.body.registrationNumber).split('-')[2]));
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => numbers[0]! + i));
    // Both processes served: each has its own pool, named after it.
    const names = await env.sql<{ name: string }[]>`select distinct application_name as name from pg_stat_activity where application_name like 'crvs-api-%' order by 1`;
    expect(names.map((n) => n.name)).toEqual(['crvs-api-1', 'crvs-api-2']);
  });

  it('answers a scrape with the figures of the whole API, the ledger gauges once', async () => {
    const before = samples(await (await fetch(`${url}/metrics`)).text(), 'crvs_registrations_issued_total{kind="birth"}')[0] ?? 0;
    await Promise.all(Array.from({ length: 6 }, register));
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(samples(text, 'crvs_registrations_issued_total{kind="birth"}')).toEqual([before + 6]);
    expect(samples(text, 'crvs_ledger_pending_versions')).toHaveLength(1);
    expect(samples(text, 'crvs_ledger_pending_versions')[0]).toBeGreaterThanOrEqual(6);
    // The anchor worker runs in the primary: its state once, too.
    expect(samples(text, 'crvs_anchor_worker_halted')).toEqual([0]);
  });

  it('shares the public pages\' rate limit out between the processes: 30 a minute from one address in all', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push(
        await new Promise<number>((resolve, reject) => {
          // A connection of its own each time, so that both processes count.
          request(`${url}/verify/${randomUUID()}`, { agent: false }, (res) => {
            res.resume().on('end', () => resolve(res.statusCode!));
          })
            .on('error', reject)
            .end();
        }),
      );
    }
    expect(statuses.filter((s) => s !== 429)).toHaveLength(30);
  });

  it('replaces a process that dies, and the API keeps answering meanwhile', async () => {
    const [victim, survivor] = system!.apiProcesses!();
    process.kill(victim!, 'SIGKILL');
    const until = async (done: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    // Connections handed to a process in the moment it dies are lost with it (node:cluster);
    // once the primary knows, the others take them all.
    await until(() => !system!.apiProcesses!().includes(victim!));
    const answers = await Promise.all(Array.from({ length: 4 }, register));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    await until(() => system!.apiProcesses!().length === 2);
    const pids = system!.apiProcesses!();
    expect(pids).toHaveLength(2);
    expect(pids).toContain(survivor);
    expect(pids).not.toContain(victim);
  });

  it('says in one line that the port is taken when the processes cannot listen, leaving the running API as it was', async () => {
    const port = await freePort();
    const taken: Server = await new Promise((resolve) => {
      const s = createServer().listen(port, '127.0.0.1', () => resolve(s));
    });
    try {
      const config = loadConfig({ ...env.env, PORT: String(port) });
      await expect(startSystem(config, createLogger('silent'))).rejects.toThrow(
        `API process 1 could not start: PORT: the HTTP API cannot listen on 127.0.0.1:${port}: the address is in use (is another crvs running?)`,
      );
    } finally {
      taken.close();
    }
    expect(system!.apiProcesses!()).toHaveLength(2);
  });

  it('finishes the registrations in flight when stopped, and then takes no more', async () => {
    // Hold the office's counter row, so that registrations wait inside their transactions.
    const holder = await env.sql.reserve();
    await holder`begin`;
    await holder`select * from registration_counters where office_code = '1802' for update`;
    const inFlight = Array.from({ length: 4 }, register);
    await new Promise((r) => setTimeout(r, 500));

    const stopped = system!.stop();
    system = undefined;
    await new Promise((r) => setTimeout(r, 300));
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    await holder`commit`;
    holder.release();
    const answers = await Promise.all(inFlight);
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    await stopped;
  });
});
