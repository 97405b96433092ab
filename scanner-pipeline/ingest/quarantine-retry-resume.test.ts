/**
 * `crvs archive quarantine --retry` interrupted after enqueueing (Ctrl-C, an outage, kill -9) is
 * finished by the next `--retry`, and files of the same name from different ingests retry together.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { putObject } from '../../services/objectstore/client.ts';
import { incomingKey, sha256Hex } from '../archive/keys.ts';
import { quarantineFile } from '../archive/quarantine.ts';
import { claimJob, enqueueFile, openRun, requeueQuarantined } from '../queue/jobs.ts';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { quarantineEntries } from '../archive/quarantine.ts';
import { QUARANTINE_RETRY_SOURCE, retryQuarantine } from './run.ts';
import type { IngestSummary } from './summary.ts';
import { CORPUS, crvs, inProcessIngest, routedStore } from './cli-test-support.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

let runs = 0;
/** Quarantines `bytes` as `name`, ingested by a run of its own, the bytes kept as the quarantine keeps them. */
async function quarantined(name: string, bytes: Buffer) {
  const { run } = await openRun(env.sql, { source: name, sourceKey: `/ingest/${++runs}`, languages: 'rus', kind: null, reviewThreshold: 0.7 });
  const sha256 = sha256Hex(bytes);
  await enqueueFile(env.sql, run.id, { sourceFile: name, sha256, sizeBytes: bytes.length, kind: null, languages: 'rus' }, async () => incomingKey(sha256));
  const job = (await claimJob(env.sql, { workerId: 'w', leaseSeconds: 30, runId: run.id }))!;
  await quarantineFile(env.sql, env.store, { job, workerId: 'w', bytes, reason: 'blank-page', detail: 'judged blank by mistake' });
  return { jobId: job.id, sha256 };
}

/** What an interrupted `--retry` leaves: the file enqueued in the retry run, not read. */
async function interruptedRetry(file: { jobId: bigint; sha256: string }, bytes: Buffer) {
  const { run } = await openRun(env.sql, { source: QUARANTINE_RETRY_SOURCE, sourceKey: QUARANTINE_RETRY_SOURCE, languages: 'rus', kind: null, reviewThreshold: 0.7 });
  await putObject(env.store, incomingKey(file.sha256), bytes);
  expect(await requeueQuarantined(env.sql, run.id, file.jobId, incomingKey(file.sha256))).not.toBeNull();
}

const scan = (name: string) => readFileSync(path.join(CORPUS, 'images', name));

describe('an interrupted crvs archive quarantine --retry', () => {
  it('is finished by --retry with the same id', async () => {
    const bytes = scan('scan-db31-0011.jpg');
    const file = await quarantined('images/scan-db31-0011.jpg', bytes);
    await interruptedRetry(file, bytes);
    const again = await crvs(['archive', 'quarantine', '--retry', file.sha256.slice(0, 12), '--json'], env.env);
    // The whole summary on failure: it says why a file was not ingested (seen once in CI, not reproduced).
    expect(again.code, again.stderr || again.stdout).toBe(0);
    expect(JSON.parse(again.stdout) as IngestSummary, again.stdout).toMatchObject({ ingested: 1, finished: true, unreadable: [] });
  }, 120_000);

  it('is finished by --retry --all once nothing else is in the quarantine', async () => {
    const bytes = scan('scan-db31-0012.jpg');
    const file = await quarantined('images/scan-db31-0012.jpg', bytes);
    await interruptedRetry(file, bytes);
    const again = await crvs(['archive', 'quarantine', '--retry', '--all', '--json'], env.env);
    expect(again.code, again.stderr || again.stdout).toBe(0);
    expect(JSON.parse(again.stdout) as IngestSummary, again.stdout).toMatchObject({ ingested: 1, finished: true });
  }, 120_000);
});

describe('a file named again to the retry that was interrupted after enqueueing it', () => {
  it('is read from the object already uploaded, not uploaded again under a worker reading it', async () => {
    const bytes = scan('scan-db31-0006.jpg');
    const file = await quarantined('images/scan-db31-0006.jpg', bytes);
    await interruptedRetry(file, bytes);
    const uploads: string[] = [];
    const store = routedStore(env.store, (command) => {
      if (command instanceof PutObjectCommand && command.input.Key?.startsWith('incoming/')) uploads.push(command.input.Key);
    });
    const entries = await quarantineEntries(env.sql, [file.sha256.slice(0, 12)], QUARANTINE_RETRY_SOURCE);
    expect(entries).toHaveLength(1);
    const summary = await retryQuarantine({ sql: env.sql, store }, entries, inProcessIngest(env.config, { languages: '' }));
    expect(summary, JSON.stringify(summary)).toMatchObject({ ingested: 1, finished: true, unreadable: [] });
    expect(uploads).toEqual([]);
  }, 120_000);
});

describe('retrying quarantined files of the same name from two ingests', () => {
  it('puts both into the retry run', async () => {
    const first = await quarantined('scan-0001.jpg', Buffer.from('first box'));
    const second = await quarantined('scan-0001.jpg', Buffer.from('second box'));
    const { run } = await openRun(env.sql, { source: QUARANTINE_RETRY_SOURCE, sourceKey: QUARANTINE_RETRY_SOURCE, languages: 'rus', kind: null, reviewThreshold: 0.7 });
    expect(await requeueQuarantined(env.sql, run.id, first.jobId, incomingKey(first.sha256))).not.toBeNull();
    expect(await requeueQuarantined(env.sql, run.id, second.jobId, incomingKey(second.sha256))).not.toBeNull();
    const names = await env.sql<{ source_file: string }[]>`select source_file from ingest_jobs where run_id = ${run.id} order by id`;
    expect(names.map((n) => n.source_file)).toEqual(['scan-0001.jpg', `${second.sha256.slice(0, 12)}/scan-0001.jpg`]);
  });
});
