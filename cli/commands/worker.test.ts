/**
 * `crvs worker anchor` as an operator runs it beside the API: the real CLI in a child process
 * against the real services of {@link useTestEnvironment}.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { freePort } from '../../tests/support/ports.ts';

const node = path.resolve('node_modules/.bin/node');
let env: TestEnvironment;

beforeAll(async () => {
  env = await useTestEnvironment();
});
afterAll(async () => {
  await env?.close();
});

function startWorker(extra: Record<string, string>) {
  const child = spawn(node, ['cli/crvs.mjs', 'worker', 'anchor'], { env: { ...process.env, ...env.env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function scrape(port: number, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      if (res.ok) return await res.text();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('the anchor worker never served /metrics');
    await sleep(100);
  }
}

describe('crvs worker anchor', () => {
  it('serves its state and the ledger backlog on /metrics with ANCHOR_WORKER_METRICS_PORT', async () => {
    const port = await freePort();
    const worker = startWorker({ ANCHOR_WORKER_METRICS_PORT: String(port) });
    try {
      const text = await scrape(port);
      expect(text).toMatch(/^crvs_anchor_worker_halted 0$/m);
      expect(text).toMatch(/^crvs_anchor_worker_consecutive_failures \d+$/m);
      expect(text).toMatch(/^crvs_ledger_pending_versions \d+$/m);
      expect(text).not.toMatch(/crvs_http_requests_total/); // it serves no API
    } finally {
      worker.child.kill('SIGTERM');
    }
    expect(await worker.exited, worker.stderr()).toBe(0);
  });

  it('exits 2 with one line naming ANCHOR_WORKER_METRICS_PORT when the port is taken', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      const worker = startWorker({ ANCHOR_WORKER_METRICS_PORT: String(port), LOG_LEVEL: 'silent' });
      expect(await worker.exited).toBe(2);
      expect(worker.stderr()).toMatch(/^crvs: ANCHOR_WORKER_METRICS_PORT: the anchor worker's metrics cannot listen on 127\.0\.0\.1:\d+: the address is in use/);
      expect(worker.stderr().trim().split('\n')).toHaveLength(1);
    } finally {
      taken.close();
    }
  });
});
