/**
 * A client that keeps failing to authenticate: within the limit each refusal is a 401 on the audit
 * trail; past it, 429 with Retry-After and no more rows, while valid tokens from the same address
 * still pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditTrail } from '../../audit-trail/trail.ts';
import { json, registryTestbed, type Testbed } from '../testing.ts';

const LIMIT = 3;
let t: Testbed;
let registrar: string;
beforeAll(async () => {
  t = await registryTestbed({ failedAuthentication: { limit: LIMIT, windowMs: 60_000 } });
  registrar = await t.token('registrar', '1802');
  for (let i = 0; i < LIMIT; i++) await t.request('POST', '/v1/births', { token: 'crvs_forged', body: {}, headers: { 'x-request-id': `forged-${i}` } });
});
afterAll(() => t.close());

describe('refused authentications from one address', () => {
  it('are answered 429 with Retry-After once over the limit', async () => {
    const res = await t.request('POST', '/v1/births', { token: 'crvs_forged', body: {}, headers: { 'x-request-id': 'forged-over' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await json(res)).type).toBe('urn:crvs:problem:rate-limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('are on the audit trail up to the limit, and not one by one beyond it', async () => {
    await t.request('POST', '/v1/births', { body: {}, headers: { 'x-request-id': 'no-token-over' } });
    const ids = (await readAuditTrail(t.env.sql, { limit: 50 })).map((e) => e.requestId);
    for (let i = 0; i < LIMIT; i++) expect(ids).toContain(`forged-${i}`);
    expect(ids).not.toContain('forged-over');
    expect(ids).not.toContain('no-token-over');
  });

  it('do not stop a valid token from the same address', async () => {
    const res = await t.request('GET', '/v1/records?limit=1', { token: registrar });
    expect(res.status).toBe(200);
  });
});
