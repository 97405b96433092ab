/**
 * What operators and integrators see: the OpenAPI document and its examples, the docs page,
 * Prometheus metrics, request ids, structured logs and the audit trail.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealNextBatch } from '../ledger/batches.ts';
import { readAuditTrail } from '../audit-trail/trail.ts';
import { birth, json, registryTestbed, type Draft, type Testbed } from './testing.ts';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let t: Testbed;
let registrar: string;
let marriages: string;
beforeAll(async () => {
  t = await registryTestbed({ logger: pino({ level: 'info' }, sink) });
  registrar = await t.token('registrar', '1802');
  marriages = await t.token('registrar', '2605');
});
afterAll(() => t.close());

describe('OpenAPI document and docs', () => {
  it('describes every route as OpenAPI 3.1 with bearer authentication', async () => {
    const doc = await json(await t.request('GET', '/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      ['/v1/births', '/v1/marriages', '/v1/records', '/v1/records/{id}', '/v1/records/{id}/corrections', '/v1/records/{id}/evidence', '/v1/tokens', '/v1/tokens/{id}/revoke'].sort(),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/births'].post.responses['422'].content['application/problem+json']).toBeDefined();
  });

  it("registers the document's own birth, marriage and correction examples as they stand", async () => {
    const doc = await json(await t.request('GET', '/openapi.json'));
    const example = (name: string) => doc.components.schemas[name].example;
    const born = await t.request('POST', '/v1/births', { token: registrar, body: example('BirthRegistrationRequest') });
    expect(born.status).toBe(201);
    const married = await t.request('POST', '/v1/marriages', { token: marriages, body: example('MarriageRegistrationRequest') });
    expect(married.status).toBe(201);
    const { id } = await json(born);
    const corrected = await t.request('POST', `/v1/records/${id}/corrections`, { token: registrar, body: example('CorrectionRequest') });
    expect(corrected.status).toBe(201);
  });

  it("writes its patterns as regular expressions a generated client can use, which the document's examples satisfy", async () => {
    const doc = await json(await t.request('GET', '/openapi.json'));
    const patterns: string[] = [];
    JSON.stringify(doc, (key, value) => (key === 'pattern' && patterns.push(value), value));
    for (const pattern of patterns) {
      expect(pattern, 'no slashes or flags: OpenAPI patterns are ECMA-262 sources').not.toMatch(/\/[dgimsuvy]*$/);
      expect(() => new RegExp(pattern, 'u')).not.toThrow();
    }
    // Each string of an example against the pattern of its property, as a client's validator would.
    const schemas = doc.components.schemas;
    const checked: string[] = [];
    const walk = (schema: Draft | undefined, value: unknown, path: string): void => {
      const s = schema?.$ref ? schemas[schema.$ref.split('/').pop()] : schema;
      if (!s) return;
      if (typeof value === 'string' && s.pattern) {
        expect(new RegExp(s.pattern, 'u').test(value), `${path}: ${value} against ${s.pattern}`).toBe(true);
        checked.push(path);
      }
      if (Array.isArray(value)) value.forEach((v, i) => walk(s.items, v, `${path}[${i}]`));
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(s.properties?.[k], v, `${path}.${k}`);
    };
    for (const name of ['BirthRegistrationRequest', 'MarriageRegistrationRequest']) walk(schemas[name], schemas[name].example, name);
    expect(checked).toContain('BirthRegistrationRequest.child.familyName');
    expect(checked).toContain('MarriageRegistrationRequest.spouses[1].familyNameAfterMarriage');
  });

  it('serves the interactive docs page pointing at the document', async () => {
    const res = await t.request('GET', '/docs');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`SwaggerUIBundle({ url: "/openapi.json"`);
    expect(page).not.toMatch(/https?:\/\//); // offline: nothing is loaded from elsewhere
    expect((await t.request('GET', '/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});

describe('metrics', () => {
  it('exports request counts and latencies by route pattern and status', async () => {
    await t.request('GET', '/v1/records/00000000-0000-4000-8000-000000000001', { token: registrar });
    const text = await (await t.request('GET', '/metrics')).text();
    expect(text).toMatch(/crvs_http_requests_total\{method="GET",route="\/v1\/records\/:id",status="404"\} 1/);
    expect(text).toMatch(/crvs_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/v1\/records\/:id",status="404"\}/);
  });

  it('counts registrations issued, and the pending backlog with its age', async () => {
    const res = await t.request('POST', '/v1/births', { token: registrar, body: birth() });
    expect(res.status).toBe(201);
    const text = await (await t.request('GET', '/metrics')).text();
    expect(Number(/crvs_registrations_issued_total\{kind="birth"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    const [{ n }] = (await t.env.sql`select count(*)::int as n from ledger_pending`) as unknown as [{ n: number }];
    expect(text).toContain(`crvs_ledger_pending_versions ${n}`);
    expect(Number(/crvs_ledger_oldest_pending_age_seconds ([\d.]+)/.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('reads anchored batches and anchoring latency from the database', async () => {
    const batch = await sealNextBatch(t.env.sql, 1000);
    await t.env.sql`insert into batch_anchors (batch_id, chain_id, contract_address, transaction_hash, block_number, anchored_at)
      values (${batch!.id}, '31337', ${'0x' + '1'.repeat(40)}, ${'0x' + '2'.repeat(64)}, 7, (select sealed_at from batches where id = ${batch!.id}) + interval '3 seconds')`;
    const text = await (await t.request('GET', '/metrics')).text();
    expect(text).toContain('crvs_batches_anchored 1');
    expect(text).toContain('crvs_anchoring_latency_last_seconds 3');
    expect(text).toContain('crvs_anchoring_latency_average_seconds 3');
    expect(text).toContain('crvs_ledger_pending_versions 0');
  });
});

describe('request ids and logs', () => {
  it('echoes a sane x-request-id and logs the request under it as JSON', async () => {
    const res = await t.request('GET', '/v1/records?limit=1', { token: registrar, headers: { 'x-request-id': 'desk-7-req-42' } });
    expect(res.headers.get('x-request-id')).toBe('desk-7-req-42');
    await new Promise((r) => setTimeout(r, 10));
    expect(lines).toContainEqual(expect.objectContaining({ requestId: 'desk-7-req-42', method: 'GET', route: '/v1/records', status: 200, msg: 'request' }));
  });

  it('replaces an unsafe request id with a fresh one, on problem answers too', async () => {
    const res = await t.request('GET', '/v1/records', { headers: { 'x-request-id': 'bad id\u0007' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('audit trail', () => {
  it('records who registered what, when and from where, with the request id', async () => {
    const res = await t.request('POST', '/v1/marriages', {
      token: marriages,
      body: { ...(await json(await t.request('GET', '/openapi.json'))).components.schemas.MarriageRegistrationRequest.example, dateOfMarriage: '2025-10-19' },
      headers: { 'x-request-id': 'audit-check-1', 'user-agent': 'registry-desk/2.1', 'x-forwarded-for': '10.20.30.40' },
    });
    // The example couple married already (above): refused, and the refusal is on record too.
    expect(res.status).toBe(422);
    const born = await t.request('POST', '/v1/births', { token: registrar, body: birth(), headers: { 'x-request-id': 'audit-check-2', 'user-agent': 'registry-desk/2.1' } });
    const { id } = await json(born);
    const trail = await readAuditTrail(t.env.sql, { limit: 10 });
    expect(trail.find((e) => e.requestId === 'audit-check-1')).toMatchObject({
      method: 'POST',
      route: '/v1/marriages',
      status: 422,
      actorRole: 'registrar',
      actorOffice: '2605',
      userAgent: 'registry-desk/2.1',
      forwardedFor: '10.20.30.40',
      recordId: null,
    });
    expect(trail.find((e) => e.requestId === 'audit-check-2')).toMatchObject({ route: '/v1/births', status: 201, recordId: id, actorOffice: '1802', occurredAt: expect.any(Date) });
  });

  it('records refused and unauthenticated attempts, but not reads', async () => {
    await t.request('POST', '/v1/births', { body: {}, headers: { 'x-request-id': 'no-token-try' } });
    await t.request('GET', '/v1/records', { token: registrar, headers: { 'x-request-id': 'just-reading' } });
    const trail = await readAuditTrail(t.env.sql, { limit: 20 });
    expect(trail.find((e) => e.requestId === 'no-token-try')).toMatchObject({ status: 401, actorTokenId: null });
    expect(trail.find((e) => e.requestId === 'just-reading')).toBeUndefined();
  });

  it('records a correction against the record it corrected', async () => {
    const { office: _office, ...details } = birth();
    const { id } = await json(await t.request('POST', '/v1/births', { token: registrar, body: { office: '1802', ...details } }));
    const correction = { correctsVersion: 1, reason: 'Given name misspelt; corrected per the hospital certificate', details: { ...details, child: { ...details.child, givenName: 'Mohinoz' } } };
    expect((await t.request('POST', `/v1/records/${id}/corrections`, { token: registrar, body: correction })).status).toBe(201);
    expect((await readAuditTrail(t.env.sql, { recordId: id })).map((e) => [e.route, e.status])).toEqual([
      ['/v1/records/:id/corrections', 201],
      ['/v1/births', 201],
    ]);
  });

  it('refuses to change or delete audit entries', async () => {
    await expect(t.env.sql`update audit_trail set status = 200`).rejects.toThrow(/append-only/);
    await expect(t.env.sql`delete from audit_trail`).rejects.toThrow(/append-only/);
    await expect(t.env.sql`truncate audit_trail`).rejects.toThrow(/append-only/);
  });
});
