/**
 * The embedded default as a user meets it: `crvs start` with no service configured brings the API
 * up with a database, an object store and a chain of its own under DATA_DIR; Ctrl-C stops
 * everything it started; a restart keeps the data.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './support/ports.ts';

const node = path.resolve('node_modules/.bin/node');
const dataDir = mkdtempSync(path.join(tmpdir(), 'crvs-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function ports() {
  return { PORT: await freePort(), EMBEDDED_DATABASE_PORT: await freePort(), EMBEDDED_S3_PORT: await freePort(), EMBEDDED_CHAIN_PORT: await freePort() };
}

/** The environment without any configured service: everything embedded. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|S3_|CHAIN_RPC_URL|ANCHOR_)/.test(k)));

function start(env: Record<string, number>): ChildProcess {
  return spawn(node, ['cli/crvs.mjs', 'start'], {
    env: { ...cleanEnv(), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function waitReady(port: number, child: ChildProcess, timeoutMs = 90_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`crvs start exited with ${child.exitCode}`);
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
    if (res?.status === 200) return Date.now() - started;
    await sleep(200);
  }
  throw new Error('not ready in time');
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function interrupt(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

describe('the embedded default (npm start)', () => {
  it('becomes ready, stops everything on Ctrl-C and keeps its data across a restart', async () => {
    const env = await ports();
    const first = start(env);
    const readyAfterMs = await waitReady(env.PORT, first);
    expect(readyAfterMs).toBeLessThan(90_000);
    expect((await fetch(`http://127.0.0.1:${env.PORT}/healthz`)).status).toBe(200);

    const db = postgres(`postgres://postgres@127.0.0.1:${env.EMBEDDED_DATABASE_PORT}/postgres`, { max: 1, onnotice: () => {} });
    await db`create table if not exists restart_probe (note text)`;
    await db`insert into restart_probe values ('written before the restart')`;
    await db.end();

    expect(await interrupt(first)).toBe(0);
    for (const port of Object.values(env)) expect(await listening(port), `port ${port} still open`).toBe(false);

    const second = start(env);
    try {
      await waitReady(env.PORT, second);
      const again = postgres(`postgres://postgres@127.0.0.1:${env.EMBEDDED_DATABASE_PORT}/postgres`, { max: 1, onnotice: () => {} });
      expect((await again`select note from restart_probe`).map((r) => r.note)).toEqual(['written before the restart']);
      await again.end();
    } finally {
      expect(await interrupt(second)).toBe(0);
    }
  }, 180_000);

  it('refuses a token revoked from the command line at once, not after the token cache expires', async () => {
    const env = await ports();
    const child = start(env);
    const crvs = (...args: string[]) => execFileSync(node, ['cli/crvs.mjs', 'token', ...args], { env: { ...cleanEnv(), DATA_DIR: dataDir, EMBEDDED_DATABASE_PORT: String(env.EMBEDDED_DATABASE_PORT) }, encoding: 'utf8' });
    try {
      await waitReady(env.PORT, child);
      const { token } = JSON.parse(crvs('create', '--role', 'auditor', '--name', 'Embedded revocation probe', '--json')) as { token: string };
      const search = () => fetch(`http://127.0.0.1:${env.PORT}/v1/records?name=Karimov`, { headers: { authorization: `Bearer ${token}` } });
      expect((await search()).status).toBe(200); // now remembered by the API's token cache
      crvs('revoke', '--name', 'Embedded revocation probe');
      expect((await search()).status).toBe(401);
    } finally {
      await interrupt(child);
    }
  }, 180_000);

  it('answers 503 naming the chain when the chain is down', async () => {
    const env = await ports();
    const child = start(env);
    try {
      await waitReady(env.PORT, child);
      // Stop only the chain node: find Anvil by its port and interrupt it.
      // No shell: `pkill -f` would otherwise match (and interrupt) the shell running it.
      execFileSync('pkill', ['-INT', '-f', `anvil .*--port ${env.EMBEDDED_CHAIN_PORT}`]);
      await sleep(1_000);
      const res = await fetch(`http://127.0.0.1:${env.PORT}/readyz`);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { unavailable: string[] }).unavailable).toEqual(['chain']);
    } finally {
      await interrupt(child);
    }
  }, 180_000);
});
