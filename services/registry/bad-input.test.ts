/**
 * Bad input of every kind gets a 4xx problem document and changes nothing; never a 500.
 */
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tests/support/ports.ts';
import { birth, json, registryState, registryTestbed, type Draft, type Testbed } from './testing.ts';

let t: Testbed;
let registrar: string;
beforeAll(async () => {
  t = await registryTestbed();
  registrar = await t.token('registrar', '1802');
});
afterAll(() => t.close());

async function expectRefused(init: { body?: unknown; headers?: Record<string, string>; path?: string }, status: number, type: string, field?: string) {
  const before = await registryState(t.env);
  const res = await t.request('POST', init.path ?? '/v1/births', { token: registrar, body: init.body, headers: init.headers });
  const problem = await json(res);
  expect(res.status, JSON.stringify(problem)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(problem.type).toBe(`urn:crvs:problem:${type}`);
  if (field) expect(problem.field).toBe(field);
  expect(await registryState(t.env)).toEqual(before);
  return problem;
}

describe('bad input', () => {
  it('refuses malformed JSON with 400', async () => {
    await expectRefused({ body: '{"office": "1802", "child": {' }, 400, 'malformed-request');
  });

  it('refuses an empty JSON body with 400', async () => {
    await expectRefused({ body: '' , headers: { 'content-type': 'application/json' } }, 400, 'malformed-request');
  });

  it('refuses a JSON array instead of an object with 422', async () => {
    await expectRefused({ body: '[1, 2, 3]' }, 422, 'validation-failed');
  });

  it('refuses a number where a date belongs, naming the field', async () => {
    await expectRefused({ body: birth((b) => (b.child.dateOfBirth = 20251003)) }, 422, 'validation-failed', 'child.dateOfBirth');
  });

  it('refuses an object where a name belongs, naming the field', async () => {
    await expectRefused({ body: birth((b) => (b.mother.givenName = { first: 'Dilnoza' })) }, 422, 'validation-failed', 'mother.givenName');
  });

  it('refuses an unknown field at the top level', async () => {
    const problem = await expectRefused({ body: birth((b) => (b.nickname = 'Mohi')) }, 422, 'validation-failed', 'nickname');
    expect(problem.errors).toEqual([{ field: 'nickname', reason: 'unknown field' }]);
  });

  it('refuses an unknown field inside a person', async () => {
    await expectRefused({ body: birth((b) => (b.child.patronimyc = 'Rustam qizi')) }, 422, 'validation-failed', 'child.patronimyc');
  });

  it('refuses a __proto__ key instead of merging it', async () => {
    await expectRefused({ body: `{"__proto__": {"admin": true}, ${JSON.stringify(birth()).slice(1)}` }, 422, 'validation-failed', '__proto__');
  });

  it('refuses a body over 64 KiB with 413', async () => {
    await expectRefused({ body: birth((b) => (b.child.settlement = 'x'.repeat(70_000))) }, 413, 'payload-too-large');
  });

  it('refuses a body over 64 KiB sent over HTTP with its Content-Length with 413', async () => {
    // Over a real socket (@hono/node-server), where the limit is read from Content-Length.
    const before = await registryState(t.env);
    const port = await freePort();
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v1/births`, {
        method: 'POST',
        headers: { authorization: `Bearer ${registrar}`, 'content-type': 'application/json' },
        body: JSON.stringify(birth((b) => (b.child.settlement = 'x'.repeat(70_000)))),
      });
      expect(res.status).toBe(413);
      expect((await json(res)).type).toBe('urn:crvs:problem:payload-too-large');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await registryState(t.env)).toEqual(before);
  });

  it('refuses an oversized body sent without Content-Length (chunked) with 413', async () => {
    const before = await registryState(t.env);
    const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await t.app.request('/v1/births', {
      method: 'POST',
      headers: { authorization: `Bearer ${registrar}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await registryState(t.env)).toEqual(before);
  });

  it('refuses text/plain with 415', async () => {
    await expectRefused({ body: JSON.stringify(birth()), headers: { 'content-type': 'text/plain' } }, 415, 'unsupported-media-type');
  });

  it('refuses a form with 415', async () => {
    await expectRefused({ body: 'office=1802', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported-media-type');
  });

  it('refuses a month 13 and a day without its leading zero', async () => {
    await expectRefused({ body: birth((b) => (b.child.dateOfBirth = '2025-13-01')) }, 422, 'validation-failed', 'child.dateOfBirth');
    await expectRefused({ body: birth((b) => (b.child.dateOfBirth = '2025-1-05')) }, 422, 'validation-failed', 'child.dateOfBirth');
  });

  it.each([
    ['SQL in a family name', (b: Draft) => (b.child.familyName = "Karimova'); DROP TABLE record_versions; --")],
    ['SQL in a place', (b: Draft) => (b.child.placeOfBirth.settlement = "Urgut' OR '1'='1")],
    ['a script in a given name', (b: Draft) => (b.child.givenName = '<script>alert(1)</script>')],
    ['markup in a settlement', (b: Draft) => (b.child.placeOfBirth.settlement = '<img src=x onerror=alert(1)>')],
    ['a NUL byte in a name', (b: Draft) => (b.mother.givenName = 'Dil\u0000noza')],
    ['a right-to-left override in a name', (b: Draft) => (b.mother.familyName = 'Karimova\u202Eavomirak')],
    ['a 10,000-character name', (b: Draft) => (b.child.givenName = 'a'.repeat(10_000))],
  ])('refuses %s with 422 and stores nothing', async (_what, change) => {
    await expectRefused({ body: birth(change) }, 422, 'validation-failed');
  });

  it('refuses a script in a correction reason', async () => {
    const created = await json(await t.request('POST', '/v1/births', { token: registrar, body: birth() }));
    const { office: _office, ...details } = birth();
    await expectRefused(
      { path: `/v1/records/${created.id}/corrections`, body: { correctsVersion: 1, reason: 'Fixed <script>fetch("//evil")</script>', details } },
      422,
      'validation-failed',
      'reason',
    );
  });

  it('never answers 5xx to randomly mangled registrations', async () => {
    // A seeded generator (mulberry32), so a failure reproduces.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    };
    const junk = [null, true, 0, -1, 1e308, '', ' ', '0', '9999-99-99', '1802', 'ʻ', '\u0000', [], [1], {}, { a: 1 }, 'x'.repeat(300), "' OR 1=1 --"];
    const leaves = (o: unknown, path: string[] = []): string[][] =>
      o !== null && typeof o === 'object' ? Object.entries(o).flatMap(([k, v]) => leaves(v, [...path, k])) : [path];
    const paths = leaves(birth());
    const statuses = new Map<number, number>();
    for (let i = 0; i < 150; i++) {
      const body = birth((b) => {
        for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
          const path = paths[Math.floor(random() * paths.length)]!;
          let target = b;
          for (const key of path.slice(0, -1)) target = target[key];
          if (random() < 0.15) delete target[path[path.length - 1]!];
          else target[path[path.length - 1]!] = junk[Math.floor(random() * junk.length)];
        }
      });
      const res = await t.request('POST', '/v1/births', { token: registrar, body });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
    }
    expect([...statuses.keys()].every((s) => s === 201 || s === 422 || s === 403)).toBe(true);
  });
});
