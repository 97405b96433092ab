/**
 * `Idempotency-Key` on registrations: a desk that sends the same registration again, because it
 * never got the answer, gets the registration it already made, never a second one.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditTrail } from '../../audit-trail/trail.ts';
import { birth, freshMarriage, json, registryState, registryTestbed, type Testbed } from '../testing.ts';

let t: Testbed;
let registrar: string;
beforeAll(async () => {
  t = await registryTestbed();
  registrar = await t.token('registrar', '1802');
});
afterAll(() => t.close());

const postBirth = (body: unknown, key: string, token = registrar) => t.request('POST', '/v1/births', { token, body, headers: { 'idempotency-key': key } });

describe('Idempotency-Key on POST /v1/births', () => {
  it('answers a repeat with the first registration and registers once', async () => {
    const key = randomUUID();
    const before = await registryState(t.env);
    const body = birth();
    const first = await postBirth(body, key);
    const again = await postBirth(body, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const created = await json(first);
    expect(await json(again)).toEqual(created);
    expect((await registryState(t.env)).records).toBe(before.records + 1);
    // Both requests are in the audit trail, the repeat naming the record it repeated.
    expect((await readAuditTrail(t.env.sql, { recordId: created.id })).map((e) => e.status)).toEqual([201, 201]);
  });

  it('registers once when the same key arrives twice at the same time', async () => {
    const key = randomUUID();
    const before = await registryState(t.env);
    const body = birth();
    const answers = await Promise.all([postBirth(body, key), postBirth(body, key)]);
    expect(answers.map((r) => r.status)).toEqual([201, 201]);
    const [a, b] = await Promise.all(answers.map(json));
    expect(b.registrationNumber).toBe(a.registrationNumber);
    expect((await registryState(t.env)).records).toBe(before.records + 1);
  });

  it('refuses a key reused for a different registration with 409, naming the header', async () => {
    const key = randomUUID();
    await postBirth(birth(), key);
    const before = await registryState(t.env);
    const res = await postBirth(birth((b) => (b.child.givenName = 'Shahzoda')), key);
    const problem = await json(res);
    expect(res.status).toBe(409);
    expect(problem).toMatchObject({ type: 'urn:crvs:problem:conflict', field: 'Idempotency-Key' });
    expect(await registryState(t.env)).toEqual(before);
  });

  it("keeps one registrar's key apart from another's", async () => {
    const key = randomUUID();
    const other = await t.token('registrar', '1802');
    const mine = await json(await postBirth(birth(), key));
    const res = await postBirth(birth(), key, other);
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    expect((await json(res)).id).not.toBe(mine.id);
  });

  it('refuses a malformed key before registering anything', async () => {
    const before = await registryState(t.env);
    const res = await postBirth(birth(), 'short');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await json(res)).field).toBe('idempotency-key');
    expect(await registryState(t.env)).toEqual(before);
  });
});

describe('Idempotency-Key on POST /v1/marriages', () => {
  it('answers a repeat with the first marriage, not as a second marriage of the same couple', async () => {
    const token = await t.token('registrar', '2605');
    const key = randomUUID();
    const body = freshMarriage(7001);
    const first = await t.request('POST', '/v1/marriages', { token, body, headers: { 'idempotency-key': key } });
    const again = await t.request('POST', '/v1/marriages', { token, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(again.status, JSON.stringify(await again.clone().json())).toBe(201);
    expect((await json(again)).id).toBe((await json(first)).id);
  });
});
