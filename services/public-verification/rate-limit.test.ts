import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { createApp } from '../http/app.ts';
import { publicVerificationRoutes } from './routes.ts';

let env: TestEnvironment;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  app = createApp({
    logger: pino({ level: 'silent' }),
    readiness: {},
    routers: [publicVerificationRoutes({ sql: env.sql, rpcUrl: env.config.chain.rpcUrl, rateLimit: { limit: 3, windowMs: 60_000 } })],
  });
});
afterAll(() => env.close());

/** A request as it arrives from `address` over TCP (what @hono/node-server passes as the env). */
const from = (address: string, path = '/verify/6f1d2a90-0000-4000-8000-000000000000?v=1&c=0x' + '0'.repeat(64), init: RequestInit = {}) =>
  app.request(path, init, { incoming: { socket: { remoteAddress: address } } });

describe('rate limiting of the public verification routes', () => {
  it('answers 429 problem+json with Retry-After once an address has used its requests', async () => {
    for (let i = 0; i < 3; i++) expect((await from('192.0.2.10')).status).toBe(404);
    const refused = await from('192.0.2.10');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(((await refused.json()) as { type: string }).type).toBe('urn:crvs:problem:rate-limited');
  });

  it('counts each client address on its own', async () => {
    for (let i = 0; i < 4; i++) await from('192.0.2.20');
    expect((await from('192.0.2.20')).status).toBe(429);
    expect((await from('192.0.2.21')).status).toBe(404);
  });

  it('counts one IPv6 /64 as one client, and an IPv4-mapped address as its IPv4 address', async () => {
    await from('2001:db8:1:2::1');
    await from('2001:db8:1:2:ffff::2');
    await from('2001:0db8:0001:0002:0:0:0:3');
    expect((await from('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).status).toBe(429);
    expect((await from('2001:db8:1:3::1')).status).toBe(404);

    for (let i = 0; i < 3; i++) await from('198.51.100.7');
    expect((await from('::ffff:198.51.100.7')).status).toBe(429);
  });

  it('ignores X-Forwarded-For, which any client can write', async () => {
    for (let i = 0; i < 3; i++) await from('192.0.2.30', undefined, { headers: { 'x-forwarded-for': `203.0.113.${i}` } });
    expect((await from('192.0.2.30', undefined, { headers: { 'x-forwarded-for': '203.0.113.99' } })).status).toBe(429);
  });

  it('limits the evidence check as well', async () => {
    const post = () => from('192.0.2.40', '/verify/evidence', { method: 'POST', body: new URLSearchParams({ bundleText: '{}' }) });
    for (let i = 0; i < 3; i++) expect((await post()).status).toBe(422);
    expect((await post()).status).toBe(429);
  });
});
