/**
 * Failures that are not the file's: a service that stops answering in the middle of an ingest, and
 * a configuration that cannot read the scans. Neither may quarantine a file, and neither may end
 * as if all went well.
 */
import { realpathSync, rmSync } from 'node:fs';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { connectObjectStore, type ObjectStore } from '../../services/objectstore/client.ts';
import { ingest } from './run.ts';
import { directorySource } from './sources.ts';
import { crvs, scanFolder } from './cli-test-support.ts';

let env: TestEnvironment;
const folders: string[] = [];
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(async () => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  await env.close();
});

const folder = (files: string[]) => {
  const dir = scanFolder(files);
  folders.push(dir);
  return dir;
};

const jobsOf = (dir: string) =>
  env.sql<{ status: string; attempts: number }[]>`
    select j.status, j.attempts from ingest_jobs j join ingest_runs r on r.id = j.run_id where r.source_key = ${dir}`;

describe('an ingest whose object store stops answering', () => {
  it('stops with a service-unavailable reason, leaving the files queued rather than quarantined', async () => {
    const dir = folder(['images/scan-db31-0003.jpg', 'images/scan-db31-0005.jpg']);
    // The store takes the uploads, then refuses every read (nothing listens on port 1): an outage
    // that starts once the files are enqueued and outlasts the ingest's wait.
    const unreachable = connectObjectStore({ ...env.config, objectStore: { ...env.config.objectStore, endpoint: 'http://127.0.0.1:1' } });
    const client = { send: (command: unknown) => (command instanceof GetObjectCommand ? unreachable.client : env.store.client).send(command as never) };
    const store: ObjectStore = { bucket: env.store.bucket, client: client as unknown as S3Client };
    try {
      const source = await directorySource(dir);
      const stopped = ingest({ sql: env.sql, store }, source, {
        languages: 'rus',
        kind: null,
        concurrency: 1,
        reviewThreshold: 0.7,
        leaseSeconds: 30,
        process: true,
        tessdataDir: env.config.ocr.tessdataDir,
        showProgress: false,
        serviceWaitSeconds: 2,
        backoff: { initialMs: 100, maxMs: 400 },
      });
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

describe('crvs ingest --languages with a language that is not installed', () => {
  it('exits 2 with a one-line reason naming the language, before enqueueing anything', async () => {
    const dir = folder(['images/scan-db31-0003.jpg']);
    const { code, stderr } = await crvs(['ingest', '--languages', 'fra', dir, '--json'], env.env);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^crvs: OCR language fra is not installed: .*tesseract-ocr-fra/)]);
    expect(await env.sql`select * from ingest_runs where source_key = ${realpathSync(dir)}`).toHaveLength(0);
  });
});
