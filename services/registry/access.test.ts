/**
 * The role/office matrix: every role against every route, with the status each must get.
 * Registrars act in their own office (1802 here); `registrar of 1801` is another office of the
 * same region. Refused requests change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, revokeToken } from '../access/tokens.ts';
import { birth, freshMarriage, json, registryState, registryTestbed, type Testbed } from './testing.ts';

type Caller = 'registrar of 1802' | 'registrar of 1801' | 'archivist' | 'auditor' | 'admin' | 'no token' | 'revoked token';
const CALLERS: Caller[] = ['registrar of 1802', 'registrar of 1801', 'archivist', 'auditor', 'admin', 'no token', 'revoked token'];

interface Route {
  name: string;
  /** Builds the request against fresh data each time. */
  request(): Promise<{ method: string; path: string; body?: unknown }>;
  expected: Record<Caller, number>;
}

let t: Testbed;
const tokens = {} as Record<Caller, string | undefined>;
let n = 0;

async function freshBirth(): Promise<string> {
  const res = await t.request('POST', '/v1/births', { token: tokens['registrar of 1802'], body: birth() });
  return (await json(res)).id;
}

const unauthenticated = { 'no token': 401, 'revoked token': 401 } as const;
const ROUTES: Route[] = [
  {
    name: 'POST /v1/births',
    request: async () => ({ method: 'POST', path: '/v1/births', body: birth() }),
    expected: { 'registrar of 1802': 201, 'registrar of 1801': 403, archivist: 403, auditor: 403, admin: 403, ...unauthenticated },
  },
  {
    name: 'POST /v1/marriages',
    request: async () => ({ method: 'POST', path: '/v1/marriages', body: freshMarriage(++n, (m) => (m.office = '1802')) }),
    expected: { 'registrar of 1802': 201, 'registrar of 1801': 403, archivist: 403, auditor: 403, admin: 403, ...unauthenticated },
  },
  {
    name: 'GET /v1/records',
    request: async () => ({ method: 'GET', path: '/v1/records?limit=5' }),
    expected: { 'registrar of 1802': 200, 'registrar of 1801': 200, archivist: 200, auditor: 200, admin: 403, ...unauthenticated },
  },
  {
    name: 'GET /v1/records/:id',
    request: async () => ({ method: 'GET', path: `/v1/records/${await freshBirth()}` }),
    expected: { 'registrar of 1802': 200, 'registrar of 1801': 403, archivist: 200, auditor: 200, admin: 403, ...unauthenticated },
  },
  {
    name: 'POST /v1/records/:id/corrections',
    request: async () => {
      const { office: _office, ...details } = birth((b) => (b.child.givenName = 'Mohinoz'));
      return { method: 'POST', path: `/v1/records/${await freshBirth()}/corrections`, body: { correctsVersion: 1, reason: 'Given name corrected per certificate', details } };
    },
    expected: { 'registrar of 1802': 201, 'registrar of 1801': 403, archivist: 403, auditor: 403, admin: 403, ...unauthenticated },
  },
  {
    name: 'GET /v1/records/:id/evidence',
    request: async () => ({ method: 'GET', path: `/v1/records/${await freshBirth()}/evidence` }),
    expected: { 'registrar of 1802': 202, 'registrar of 1801': 403, archivist: 202, auditor: 202, admin: 403, ...unauthenticated },
  },
  {
    name: 'GET /v1/tokens',
    request: async () => ({ method: 'GET', path: '/v1/tokens' }),
    expected: { 'registrar of 1802': 403, 'registrar of 1801': 403, archivist: 403, auditor: 200, admin: 200, ...unauthenticated },
  },
  {
    name: 'POST /v1/tokens',
    request: async () => ({ method: 'POST', path: '/v1/tokens', body: { name: `Archivist ${++n}`, role: 'archivist' } }),
    expected: { 'registrar of 1802': 403, 'registrar of 1801': 403, archivist: 403, auditor: 403, admin: 201, ...unauthenticated },
  },
  {
    name: 'POST /v1/tokens/:id/revoke',
    request: async () => {
      const { record } = await createToken(t.env.sql, { name: `Throwaway ${++n}`, role: 'auditor' });
      return { method: 'POST', path: `/v1/tokens/${record.id}/revoke` };
    },
    expected: { 'registrar of 1802': 403, 'registrar of 1801': 403, archivist: 403, auditor: 403, admin: 200, ...unauthenticated },
  },
];

beforeAll(async () => {
  t = await registryTestbed();
  tokens['registrar of 1802'] = await t.token('registrar', '1802');
  tokens['registrar of 1801'] = await t.token('registrar', '1801');
  tokens.archivist = await t.token('archivist');
  tokens.auditor = await t.token('auditor');
  tokens.admin = await t.token('admin');
  tokens['no token'] = undefined;
  const revoked = await createToken(t.env.sql, { name: 'Former registrar', role: 'registrar', office: '1802' });
  await revokeToken(t.env.sql, { id: revoked.record.id });
  tokens['revoked token'] = revoked.token;
});
afterAll(() => t.close());

const cases = ROUTES.flatMap((route) => CALLERS.map((caller) => ({ route, caller, status: route.expected[caller] })));

describe('who may do what', () => {
  it.each(cases.map((c) => [c.route.name, c.caller, c.status, c] as const))('%s as %s answers %i', async (_name, caller, status, { route }) => {
    const { method, path, body } = await route.request();
    const before = await registryState(t.env);
    const res = await t.request(method, path, { token: tokens[caller], body });
    expect(res.status, JSON.stringify(await json(res.clone()))).toBe(status);
    if (status >= 400) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await registryState(t.env)).toEqual(before);
    }
    if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('tells a registrar of another office why: the office', async () => {
    const id = await freshBirth();
    const res = await t.request('GET', `/v1/records/${id}`, { token: tokens['registrar of 1801'] });
    expect(await json(res)).toMatchObject({ type: 'urn:crvs:problem:forbidden', detail: expect.stringMatching(/office 1801 may not act on office 1802/) });
  });

  it('refuses a malformed Authorization header with 401', async () => {
    const res = await t.request('GET', '/v1/records', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
  });

  it('refuses a token that was never issued with 401', async () => {
    const res = await t.request('GET', '/v1/records', { token: `crvs_${'A'.repeat(43)}` });
    expect(res.status).toBe(401);
  });

  it('stops accepting a token as soon as an admin revokes it through the API', async () => {
    const { token, record } = await createToken(t.env.sql, { name: 'Desk to close', role: 'auditor' });
    expect((await t.request('GET', '/v1/records', { token })).status).toBe(200);
    expect((await t.request('POST', `/v1/tokens/${record.id}/revoke`, { token: tokens.admin })).status).toBe(200);
    expect((await t.request('GET', '/v1/records', { token })).status).toBe(401);
  });
});
