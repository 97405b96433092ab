/**
 * Failures that are not the file's: a service that stops answering in the middle of an ingest, and
 * a configuration that cannot read the scans. Neither may quarantine a file, and neither may end
 * as if all went well.
 */
import { realpathSync } from 'node:fs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { databaseProxy, type DatabaseProxy } from '../../tests/support/database-proxy.ts';
import postgres from 'postgres';
import type { Sql } from '../../services/database/client.ts';
import { connectObjectStore } from '../../services/objectstore/client.ts';
import { ingest } from './run.ts';
import { directorySource } from './sources.ts';
import { crvs, inProcessIngest, removeTempFolders, routedStore, scanFolder, tempFolder } from './cli-test-support.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(async () => {
  removeTempFolders();
  await env.close();
});

const jobsOf = (dir: string) =>
  env.sql<{ status: string; attempts: number }[]>`
    select j.status, j.attempts from ingest_jobs j join ingest_runs r on r.id = j.run_id where r.source_key = ${dir}`;

describe('an ingest whose object store stops answering', () => {
  it('stops with a service-unavailable reason, leaving the files queued rather than quarantined', async () => {
    const dir = scanFolder(['images/scan-db31-0003.jpg', 'images/scan-db31-0005.jpg']);
    // The store takes the uploads, then refuses every read (nothing listens on port 1): an outage
    // that starts once the files are enqueued and outlasts the ingest's wait.
    const unreachable = connectObjectStore({ ...env.config, objectStore: { ...env.config.objectStore, endpoint: 'http://127.0.0.1:1' } });
    const store = routedStore(env.store, (command) => (command instanceof GetObjectCommand ? unreachable.client : undefined));
    try {
      const source = await directorySource(dir);
      const stopped = ingest({ sql: env.sql, store }, source, inProcessIngest(env.config, { serviceWaitSeconds: 2, backoff: { initialMs: 100, maxMs: 400 } }));
      await expect(stopped).rejects.toMatchObject({
        code: 'service-unavailable',
        message: expect.stringMatching(/^object store is unreachable: .*ECONNREFUSED.*; 2 files of run \S+ stay queued: run the same command again/),
      });
    } finally {
      unreachable.client.destroy();
    }
    expect((await jobsOf(realpathSync(dir))).map((j) => j.status)).toEqual(['queued', 'queued']);
    expect(await env.sql`select * from archive_quarantine`).toHaveLength(0);
  });
});

describe('an ingest whose database stops answering in the middle of a job', () => {
  /**
   * An ingest of `dir` through `proxy`; with `cutMidJob`, the database becomes unreachable once the
   * file has been read, as the worker stores what it read (the objects first, then the rows): storing
   * and giving the job back then fail, with the only slot inside the hand-back.
   */
  function ingestThrough(proxy: DatabaseProxy, dir: string, handBackDir: string, cutMidJob: boolean) {
    const store = routedStore(env.store, (command) => {
      if (cutMidJob && command instanceof PutObjectCommand && !command.input.Key?.startsWith('incoming/')) proxy.unreachable();
    });
    // As the system's client (services/database/client.ts), reconnecting at once rather than after
    // postgres.js's backoff of up to 20 s, so that the test's outage is measured in seconds.
    const sql = postgres(proxy.url, { max: 2, connect_timeout: 2, backoff: () => 0.05, onnotice: () => {}, types: { bigint: postgres.BigInt } }) as unknown as Sql;
    const options = inProcessIngest(env.config, { leaseSeconds: 2, serviceWaitSeconds: 2, backoff: { initialMs: 100, maxMs: 400 }, handBackDir });
    return directorySource(dir)
      .then((source) => ingest({ sql, store }, source, options))
      .finally(() => sql.end({ timeout: 1 }));
  }

  const handBackDir = () => tempFolder('crvs-hand-backs-');

  it('stops with a service-unavailable reason after --service-wait instead of waiting for ever', async () => {
    const dir = scanFolder(['images/scan-db31-0006.jpg']);
    const proxy = await databaseProxy(env.config.database.url);
    try {
      const started = Date.now();
      await expect(ingestThrough(proxy, dir, handBackDir(), true)).rejects.toMatchObject({
        code: 'service-unavailable',
        message: expect.stringMatching(/^database is unreachable: .*stay queued: run the same command again/),
      });
      // The OCR of the page, then 2 s of waiting, not the test's timeout.
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('reads the file once the database is back, however many times an outage stopped the ingest', async () => {
    const dir = scanFolder(['images/scan-db31-0008.jpg']);
    const notes = handBackDir();
    const proxy = await databaseProxy(env.config.database.url);
    try {
      // More outages than a file has attempts (MAX_ATTEMPTS = 3).
      for (let outage = 1; outage <= 4; outage++) {
        await expect(ingestThrough(proxy, dir, notes, true)).rejects.toMatchObject({ code: 'service-unavailable' });
        await proxy.reachable();
        // The worker of the stopped run is gone: its lease runs out.
        await new Promise((r) => setTimeout(r, 2_500));
      }
      const summary = await ingestThrough(proxy, dir, notes, false);
      expect(summary).toMatchObject({ ingested: 1, quarantined: { count: 0 }, finished: true });
    } finally {
      await proxy.close();
    }
    expect(await env.sql`select * from archive_quarantine`).toHaveLength(0);
  }, 180_000);
});

describe('crvs ingest --languages with a language that is not installed', () => {
  it('exits 2 with a one-line reason naming the language, before enqueueing anything', async () => {
    const dir = scanFolder(['images/scan-db31-0003.jpg']);
    const { code, stderr } = await crvs(['ingest', '--languages', 'fra', dir, '--json'], env.env);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^crvs: OCR language fra is not installed: .*tesseract-ocr-fra/)]);
    expect(await env.sql`select * from ingest_runs where source_key = ${realpathSync(dir)}`).toHaveLength(0);
  });

  it('stops crvs worker ocr the same way, before it claims a job', async () => {
    const { code, stderr } = await crvs(['worker', 'ocr', '--languages', 'rus+fra', '--drain'], env.env);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^crvs: OCR language fra is not installed: .*tesseract-ocr-fra/)]);
  });
});
