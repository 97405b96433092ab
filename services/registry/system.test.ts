/**
 * The registry API inside the whole running system (`startSystem`, as `crvs start` runs it) over
 * real HTTP: evidence once the anchor worker has anchored the batch, the client address in the
 * audit trail, and a graceful shutdown that finishes the request in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { freePort } from '../../tests/support/ports.ts';
import { loadConfig } from '../config/env.ts';
import { createLogger } from '../observability/logger.ts';
import { startSystem, type RunningSystem } from '../system.ts';
import { createToken } from '../access/tokens.ts';
import { readAuditTrail } from '../audit-trail/trail.ts';
import { parseEvidence } from '../ledger/evidence.ts';
import { verifyEvidence } from '../ledger/evidence-verifier.ts';
import { birth, json } from './testing.ts';

let env: TestEnvironment;
let system: RunningSystem | undefined;
let registrar: string;
let url: string;

beforeAll(async () => {
  env = await useTestEnvironment({ env: { BATCH_MAX_WAIT_MS: '200' } });
  env.env.PORT = String(await freePort());
  system = await startSystem(loadConfig(env.env), createLogger('silent'));
  url = system.url;
  registrar = (await createToken(env.sql, { name: 'Urgut registrar', role: 'registrar', office: '1802' })).token;
});
afterAll(async () => {
  await system?.stop();
  await env.close();
});

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${registrar}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

describe('the registry API in the running system', () => {
  it('hands out an evidence bundle that verifies against the chain once the batch is anchored', async () => {
    const created = await json(await call('POST', '/v1/births', birth()));
    let res = await call('GET', `/v1/records/${created.id}/evidence`);
    const deadline = Date.now() + 30_000;
    while (res.status === 202 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      res = await call('GET', `/v1/records/${created.id}/evidence`);
    }
    expect(res.status).toBe(200);
    const bundle = parseEvidence(await res.json());
    expect(bundle.commitment).toBe(created.commitment);
    expect((await verifyEvidence(bundle, env.config.chain.rpcUrl)).verdict).toBe('genuine');
    const record = await json(await call('GET', `/v1/records/${created.id}`));
    expect(record.anchoring).toMatchObject({ status: 'anchored', batchId: bundle.batchId, transactionHash: bundle.transactionHash });
  });

  it('exports the state of the anchor worker in /metrics: running, holding the anchoring role', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/^crvs_anchor_worker_halted 0$/m);
    expect(text).toMatch(/^crvs_anchor_worker_anchoring 1$/m);
    expect(text).toMatch(/^crvs_anchor_worker_chain_reachable 1$/m);
  });

  it('lists the archive and certificate routes in the same OpenAPI document as the registry', async () => {
    const doc = await json(await fetch(`${url}/openapi.json`));
    for (const path of ['/v1/archive/search', '/v1/archive/review', '/v1/archive/documents/{id}', '/v1/archive/documents/{id}/review', '/v1/records/{id}/certificate.pdf']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(doc.paths['/v1/archive/documents/{id}/review'].post.requestBody.content['application/json'].schema.required).toEqual(['field', 'action']);
    expect(Object.keys(doc.paths['/v1/records/{id}/certificate.pdf'].get.responses['200'].content)).toEqual(['application/pdf']);
  });

  it('records the client address of a registration', async () => {
    const created = await json(await call('POST', '/v1/births', birth()));
    const [entry] = await readAuditTrail(env.sql, { recordId: created.id });
    expect(entry!.clientAddress).toMatch(/127\.0\.0\.1/);
  });

  it('finishes the registration in flight when stopped, and then takes no more', async () => {
    // Hold the office's counter row so that the next registration waits inside its transaction.
    const holder = await env.sql.reserve();
    await holder`begin`;
    await holder`select * from registration_counters where office_code = '1802' for update`;
    const inFlight = call('POST', '/v1/births', birth());
    await new Promise((r) => setTimeout(r, 300));

    const stopped = system!.stop();
    system = undefined;
    await new Promise((r) => setTimeout(r, 300));
    await expect(call('GET', '/healthz')).rejects.toThrow();

    await holder`commit`;
    holder.release();
    const res = await inFlight;
    expect(res.status).toBe(201);
    const { id } = await json(res);
    await stopped;
    expect((await env.sql`select 1 from registry_records where record_id = ${id}`).length).toBe(1);
  });
});
