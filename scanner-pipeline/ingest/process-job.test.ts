/**
 * What a worker does with jobs that cannot succeed: they end in the quarantine with a reason
 * instead of blocking the run or looping forever.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { connectObjectStore, getObject, putObject, type ObjectStore } from '../../services/objectstore/client.ts';
import { incomingKey, quarantineKey, sha256Hex } from '../archive/keys.ts';
import { claimJob, enqueueFile, markEnqueued, openRun } from '../queue/jobs.ts';
import { runWorkerLoop } from '../queue/worker.ts';
import { jobProcessor, MAX_ATTEMPTS } from './process-job.ts';
import { createDocumentReader, type DocumentReader } from './read-document.ts';
import { CORPUS } from './cli-test-support.ts';

let env: TestEnvironment;
let reader: DocumentReader;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
  reader = await createDocumentReader({ tessdataDir: env.config.ocr.tessdataDir, concurrency: 1, languages: ['rus'] });
});
afterAll(async () => {
  await reader?.close();
  await env.close();
});

async function enqueue(name: string, bytes: Uint8Array, stored: Uint8Array = bytes) {
  const { run } = await openRun(env.sql, { source: name, sourceKey: `/jobs/${name}`, languages: 'rus', kind: null, reviewThreshold: 0.7 });
  const sha256 = sha256Hex(bytes);
  await enqueueFile(env.sql, run.id, { sourceFile: name, sha256, sizeBytes: bytes.length, kind: null, languages: 'rus' }, async () => {
    await putObject(env.store, incomingKey(sha256), stored);
    return incomingKey(sha256);
  });
  return run;
}

const quarantineOf = async (name: string) => (await env.sql`select reason, detail, object_key from archive_quarantine where source_file = ${name}`)[0];

describe('a job that cannot succeed', () => {
  it('is quarantined as processing-failed once its workers died on it too often', async () => {
    const bytes = readFileSync(path.join(CORPUS, 'images/scan-db31-0006.jpg'));
    const run = await enqueue('killer.jpg', bytes);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await claimJob(env.sql, { workerId: `dies-${i}`, leaseSeconds: 1, runId: run.id });
      await sleep(1_050);
    }
    const job = (await claimJob(env.sql, { workerId: 'survivor', leaseSeconds: 30, runId: run.id }))!;
    const handle = jobProcessor({ sql: env.sql, store: env.store, reader, workerId: 'survivor' });
    expect(await handle(job, { signal: new AbortController().signal })).toEqual({ status: 'quarantined', reason: 'processing-failed' });
    expect(await quarantineOf('killer.jpg')).toMatchObject({ reason: 'processing-failed', detail: expect.stringContaining(`gave up after ${MAX_ATTEMPTS} attempts`) });
  });

  it('is quarantined as too-many-pixels when a page is larger than the configured pixel limit (SCAN_MAX_PIXELS)', async () => {
    const strict = await createDocumentReader({ tessdataDir: env.config.ocr.tessdataDir, concurrency: 1, languages: ['rus'], maxPixels: 1_000_000 });
    try {
      const run = await enqueue('large.jpg', readFileSync(path.join(CORPUS, 'images/scan-db31-0002.jpg')));
      const job = (await claimJob(env.sql, { workerId: 'w', leaseSeconds: 30, runId: run.id }))!;
      const handle = jobProcessor({ sql: env.sql, store: env.store, reader: strict, workerId: 'w' });
      expect(await handle(job, { signal: new AbortController().signal })).toEqual({ status: 'quarantined', reason: 'too-many-pixels' });
      expect(await quarantineOf('large.jpg')).toMatchObject({ reason: 'too-many-pixels', detail: expect.stringContaining('more pixels than allowed') });
    } finally {
      await strict.close();
    }
  });

  it('is quarantined as checksum-mismatch when the stored bytes are not those that were enqueued', async () => {
    const bytes = new TextEncoder().encode('the bytes that were hashed');
    const run = await enqueue('swapped.jpg', bytes, new TextEncoder().encode('other bytes'));
    const job = (await claimJob(env.sql, { workerId: 'w', leaseSeconds: 30, runId: run.id }))!;
    const handle = jobProcessor({ sql: env.sql, store: env.store, reader, workerId: 'w' });
    expect(await handle(job, { signal: new AbortController().signal })).toEqual({ status: 'quarantined', reason: 'checksum-mismatch' });
    const other = new TextEncoder().encode('other bytes');
    expect(await quarantineOf('swapped.jpg')).toMatchObject({
      reason: 'checksum-mismatch',
      object_key: quarantineKey(sha256Hex(bytes), 'swapped.jpg'),
      detail: `the stored bytes have the SHA-256 ${sha256Hex(other)}, not ${sha256Hex(bytes)} as when they were enqueued`,
    });
  });

  it('keeps the mismatching bytes under the quarantine key, where a retake of the file cannot overwrite them', async () => {
    const bytes = new TextEncoder().encode('the bytes of a retaken file');
    const run = await enqueue('retaken.jpg', bytes, new TextEncoder().encode('damaged copy'));
    const job = (await claimJob(env.sql, { workerId: 'w', leaseSeconds: 30, runId: run.id }))!;
    await jobProcessor({ sql: env.sql, store: env.store, reader, workerId: 'w' })(job, { signal: new AbortController().signal });
    expect(new TextDecoder().decode(await getObject(env.store, quarantineKey(sha256Hex(bytes), 'retaken.jpg')))).toBe('damaged copy');
    // The incoming key is free for the retake, which uploads the file there again.
    expect(await getObject(env.store, incomingKey(sha256Hex(bytes)))).toBeNull();
  });

  it('goes back to the queue when its bytes cannot be fetched', async () => {
    const bytes = new TextEncoder().encode('never uploaded');
    const { run } = await openRun(env.sql, { source: 'lost', sourceKey: '/jobs/lost', languages: 'rus', kind: null, reviewThreshold: 0.7 });
    await enqueueFile(env.sql, run.id, { sourceFile: 'lost.jpg', sha256: sha256Hex(bytes), sizeBytes: bytes.length, kind: null, languages: 'rus' }, async () => 'incoming/nowhere');
    const job = (await claimJob(env.sql, { workerId: 'w', leaseSeconds: 30, runId: run.id }))!;
    const handle = jobProcessor({ sql: env.sql, store: env.store, reader, workerId: 'w' });
    expect(await handle(job, { signal: new AbortController().signal })).toMatchObject({ status: 'retry', error: expect.stringContaining('missing') });
  });
});

describe('a job whose service does not answer', () => {
  it('waits for an unreachable object store instead of quarantining the file, and reads it once the store is back', async () => {
    const run = await enqueue('outage.jpg', readFileSync(path.join(CORPUS, 'images/scan-db31-0008.jpg')));
    await markEnqueued(env.sql, run.id);
    // Nothing listens on port 1: every request is refused (ECONNREFUSED), as during an outage.
    const unreachable = connectObjectStore({ ...env.config, objectStore: { ...env.config.objectStore, endpoint: 'http://127.0.0.1:1' } });
    const store: ObjectStore = { bucket: env.store.bucket, client: unreachable.client };
    const handle = jobProcessor({ sql: env.sql, store, reader, workerId: 'w' });
    const outageLength = MAX_ATTEMPTS + 2;
    let refused = 0;
    try {
      const totals = await runWorkerLoop({
        sql: env.sql,
        workerId: 'w',
        concurrency: 1,
        leaseSeconds: 30,
        runId: run.id,
        until: 'run-finished',
        pollMs: 20,
        backoff: { initialMs: 10, maxMs: 50 },
        handle: async (job, lease) => {
          const result = await handle(job, lease);
          if (result.status !== 'done' && ++refused === outageLength) store.client = env.store.client;
          return result;
        },
      });
      expect(refused).toBe(outageLength);
      expect(totals).toMatchObject({ done: 1, quarantined: 0 });
      expect(await quarantineOf('outage.jpg')).toBeUndefined();
    } finally {
      unreachable.client.destroy();
    }
  });
});
