/**
 * A quarantined file can be read again: by the same ingest run again when it was quarantined for a
 * failure that was not its own, and by `crvs archive quarantine --retry` whatever the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { sha256Hex } from '../archive/keys.ts';
import { listQuarantine, quarantineFile } from '../archive/quarantine.ts';
import { claimJob, enqueueFile, openRun } from '../queue/jobs.ts';
import type { IngestSummary } from './summary.ts';
import { crvs, removeTempFolders, scanFolder } from './cli-test-support.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(async () => {
  removeTempFolders();
  await env.close();
});

let runs = 0;
/** Enqueues `name` in a new run of its own and, with `reason`, quarantines it there. */
async function ingestOnce(name: string, reason?: string) {
  const { run } = await openRun(env.sql, { source: name, sourceKey: `/retry/${++runs}`, languages: 'rus', kind: null, reviewThreshold: 0.7 });
  const file = { sourceFile: name, sha256: sha256Hex(`bytes of ${name}`), sizeBytes: 8, kind: null, languages: 'rus' };
  const outcome = await enqueueFile(env.sql, run.id, file, async () => `incoming/${name}`);
  if (reason) {
    const job = (await claimJob(env.sql, { workerId: 'w', leaseSeconds: 30, runId: run.id }))!;
    await quarantineFile(env.sql, env.store, { job, workerId: 'w', bytes: null, reason, detail: 'as the test says' });
  }
  return outcome;
}

describe('ingesting a quarantined file again', () => {
  it('takes a file quarantined for a processing failure again, instead of calling it a duplicate', async () => {
    const first = await ingestOnce('outage-victim.jpg', 'processing-failed');
    const again = await ingestOnce('outage-victim.jpg');
    expect(again).toMatchObject({ outcome: 'queued', retakes: first.jobId });
    expect((await listQuarantine(env.sql)).map((q) => q.sourceFile)).not.toContain('outage-victim.jpg');
    // The first attempt stays on record as it ended.
    const [old] = await env.sql`select status from ingest_jobs where id = ${first.jobId}`;
    expect(old).toMatchObject({ status: 'quarantined' });
  });

  it('still calls a file quarantined for a fault of its own a duplicate of it', async () => {
    const first = await ingestOnce('broken.jpg', 'truncated');
    expect(await ingestOnce('broken.jpg')).toMatchObject({ outcome: 'duplicate', duplicateOf: first.jobId });
  });
});

describe('crvs archive quarantine --retry', () => {
  it('reads a quarantined file again and takes it out of the quarantine', async () => {
    const dir = scanFolder(['images/scan-db31-0010.jpg']);
    // Too large for a strict pixel limit: quarantined as too-many-pixels.
    const strict = await crvs(['ingest', dir, '--languages', 'rus', '--json'], { ...env.env, SCAN_MAX_PIXELS: '1000000' });
    expect(strict.code, strict.stderr).toBe(0);
    expect(JSON.parse(strict.stdout)).toMatchObject({ quarantined: { count: 1, byReason: { 'too-many-pixels': 1 } } });
    const listed = await crvs(['archive', 'quarantine'], env.env);
    const id = /^([0-9a-f]{12}) {2}images\/scan-db31-0010\.jpg: too-many-pixels/m.exec(listed.stdout)?.[1];
    expect(id, listed.stdout).toBeDefined();

    // The limit raised again, the operator retries it.
    const retried = await crvs(['archive', 'quarantine', '--retry', id!, '--json'], env.env);
    expect(retried.code, retried.stderr).toBe(0);
    expect(JSON.parse(retried.stdout) as IngestSummary).toMatchObject({ files: 1, ingested: 1, quarantined: { count: 0 }, finished: true });
    expect((await crvs(['archive', 'quarantine'], env.env)).stdout).not.toContain('scan-db31-0010.jpg');
    expect(await env.sql`select source_file from archive_documents`).toEqual([{ source_file: 'images/scan-db31-0010.jpg' }]);
  }, 180_000);
});
