import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import type { ServerType } from '@hono/node-server';
import { closeServer, serveHttp } from './api-process.ts';
import { freePort } from '../../tests/support/ports.ts';

let server: ServerType;
let port: number;

beforeAll(async () => {
  port = await freePort();
  server = await serveHttp({ fetch: () => new Response('ok'), hostname: '127.0.0.1', port });
});
afterAll(() => closeServer(server));

/** A GET on `agent`; answers whether it went on a connection opened before. */
const get = (agent: Agent): Promise<boolean> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume().on('end', () => resolve(req.reusedSocket));
    });
    req.on('error', reject).end();
  });

describe('an idle client connection', () => {
  it('stays open past Node’s 5 s, as the proxies in front of the API keep theirs (60 s)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await get(agent)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await get(agent)).toBe(true);
    } finally {
      agent.destroy();
    }
  }, 15_000);
});

describe('stopping the server', () => {
  it('ends, without waiting out the keep-alive, once a request in flight when it began is answered', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const slowPort = await freePort();
    const slow = await serveHttp({ fetch: async () => (await answered, new Response('late')), hostname: '127.0.0.1', port: slowPort });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const inFlight = new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: slowPort, path: '/', agent }, (res) => res.resume().on('end', () => resolve(res.statusCode!)))
          .on('error', reject)
          .end();
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      const stopped = closeServer(slow);
      answer();
      expect(await inFlight).toBe(200);
      await stopped;
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      agent.destroy();
    }
  });
});
