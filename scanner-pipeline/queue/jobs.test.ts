import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { sha256Hex } from '../archive/keys.ts';
import { claimJob, completeJob, enqueueFile, finishRunIfDone, LeaseLostError, markEnqueued, openRun, releaseJob, renewLease } from './jobs.ts';
import { runWorkerLoop } from './worker.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

let sources = 0;
async function newRun() {
  const key = `/scans/box-${++sources}`;
  return (await openRun(env.sql, { source: key, sourceKey: key, languages: 'rus', kind: null, reviewThreshold: 0.8 })).run;
}

const file = (name: string, content = name) => ({ sourceFile: name, sha256: sha256Hex(`${content}-${sources}`), sizeBytes: 10, kind: null, languages: 'rus' });
const upload = async () => 'incoming/test';

describe('enqueueing', () => {
  it('records a second file with the same bytes as a duplicate of the first, without uploading it', async () => {
    const run = await newRun();
    let uploads = 0;
    const counting = async () => (uploads++, 'incoming/x');
    const first = await enqueueFile(env.sql, run.id, file('a.jpg', 'same'), counting);
    const second = await enqueueFile(env.sql, run.id, file('copy/a.jpg', 'same'), counting);
    expect(first.outcome).toBe('queued');
    expect(second).toMatchObject({ outcome: 'duplicate', duplicateOf: first.jobId });
    expect(uploads).toBe(1);
  });

  it('knows a file it already has when the same run is enqueued again', async () => {
    const run = await newRun();
    const first = await enqueueFile(env.sql, run.id, file('a.jpg'), upload);
    expect(await enqueueFile(env.sql, run.id, file('a.jpg'), upload)).toEqual({ outcome: 'known', jobId: first.jobId });
  });

  it('resumes the unfinished run of the same source instead of starting another', async () => {
    const run = await newRun();
    const again = await openRun(env.sql, { source: run.source, sourceKey: run.sourceKey, languages: 'rus', kind: null, reviewThreshold: 0.8 });
    expect(again).toMatchObject({ resumed: true, run: { id: run.id } });
  });

  it('finishes a run once it is fully enqueued and every job is final, and starts a new one after that', async () => {
    const run = await newRun();
    await enqueueFile(env.sql, run.id, file('a.jpg'), upload);
    const job = (await claimJob(env.sql, { workerId: 'w1', leaseSeconds: 30, runId: run.id }))!;
    await env.sql.begin((tx) => completeJob(tx, job.id, 'w1', { status: 'quarantined' }));
    expect(await finishRunIfDone(env.sql, run.id)).toBe(false);
    await markEnqueued(env.sql, run.id);
    const next = await openRun(env.sql, { source: run.source, sourceKey: run.sourceKey, languages: 'rus', kind: null, reviewThreshold: 0.8 });
    expect(next.resumed).toBe(false);
    expect(next.run.id).not.toBe(run.id);
  });
});

describe('claiming', () => {
  it('never hands one job to two workers claiming at the same time', async () => {
    const run = await newRun();
    for (let i = 0; i < 20; i++) await enqueueFile(env.sql, run.id, file(`f${i}.jpg`), upload);
    const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => claimJob(env.sql, { workerId: `w${i}`, leaseSeconds: 30, runId: run.id })));
    const ids = claims.filter((c) => c !== null).map((c) => c!.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
  });

  it('gives the job of a worker whose lease expired to another worker, and refuses the first one its result', async () => {
    const run = await newRun();
    await enqueueFile(env.sql, run.id, file('slow.jpg'), upload);
    const dead = (await claimJob(env.sql, { workerId: 'dead', leaseSeconds: 1, runId: run.id }))!;
    expect(await claimJob(env.sql, { workerId: 'alive', leaseSeconds: 30, runId: run.id })).toBeNull();
    await sleep(1_100);
    const retried = await claimJob(env.sql, { workerId: 'alive', leaseSeconds: 30, runId: run.id });
    expect(retried).toMatchObject({ id: dead.id, attempts: 2, leaseOwner: 'alive' });
    expect(await renewLease(env.sql, dead.id, 'dead', 30)).toBe(false);
    await expect(env.sql.begin((tx) => completeJob(tx, dead.id, 'dead', { status: 'done', pages: 1 }))).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('keeps a released job out of reach until its backoff has passed', async () => {
    const run = await newRun();
    await enqueueFile(env.sql, run.id, file('flaky.jpg'), upload);
    const job = (await claimJob(env.sql, { workerId: 'w', leaseSeconds: 30, runId: run.id }))!;
    await releaseJob(env.sql, job.id, 'w', 'object store unreachable');
    expect(await claimJob(env.sql, { workerId: 'w', leaseSeconds: 30, runId: run.id })).toBeNull();
    const [row] = await env.sql`select status, last_error, retry_after > now() as waiting from ingest_jobs where id = ${job.id}`;
    expect(row).toMatchObject({ status: 'queued', last_error: 'object store unreachable', waiting: true });
  });
});

describe('the worker loop', () => {
  it('renews the lease of a job that takes longer than the lease', async () => {
    const run = await newRun();
    await enqueueFile(env.sql, run.id, file('long.jpg'), upload);
    await markEnqueued(env.sql, run.id);
    let stolen: unknown = 'not tried';
    const totals = await runWorkerLoop({
      sql: env.sql,
      workerId: 'patient',
      concurrency: 1,
      leaseSeconds: 1,
      runId: run.id,
      until: 'run-finished',
      pollMs: 100,
      handle: async (job, lease) => {
        await sleep(2_500);
        stolen = await claimJob(env.sql, { workerId: 'thief', leaseSeconds: 30, runId: run.id });
        expect(lease.signal.aborted).toBe(false);
        await env.sql.begin((tx) => completeJob(tx, job.id, 'patient', { status: 'done', pages: 1 }));
        await finishRunIfDone(env.sql, run.id);
        return { status: 'done', pages: 1, reviewStatus: 'not-needed' };
      },
    });
    expect(stolen).toBeNull();
    expect(totals).toMatchObject({ jobs: 1, done: 1, pages: 1 });
  });
});
