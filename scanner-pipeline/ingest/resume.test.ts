/**
 * Nothing is lost and nothing is stored twice when an ingest dies (kill -9) and is run again, or
 * when OCR workers on several machines share one ingest: the real `crvs` in child processes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { headObject } from '../../services/objectstore/client.ts';
import type { IngestSummary } from './summary.ts';
import { crvs, exited, removeTempFolders, scanFolder, startCrvs } from './cli-test-support.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(async () => {
  removeTempFolders();
  await env.close();
});

async function jobsOf(dir: string) {
  return env.sql<{ source_file: string; status: string; attempts: number; worker: string | null }[]>`
    select j.source_file, j.status, j.attempts, j.worker from ingest_jobs j join ingest_runs r on r.id = j.run_id
    where r.source_key = ${dir} order by j.source_file`;
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

async function everyObjectStored(): Promise<void> {
  const docs = await env.sql<{ objects: { key: string; sha256: string }[] }[]>`select objects from archive_documents`;
  for (const doc of docs) for (const o of doc.objects) expect((await headObject(env.store, o.key))?.sha256).toBe(o.sha256);
}

describe('an ingest killed with kill -9', () => {
  it('resumes where it stopped when run again, without duplicates', async () => {
    const dir = scanFolder(['images/scan-db31-0003.jpg', 'images/scan-db31-0006.jpg', 'images/scan-db31-0008.jpg']);
    const child = startCrvs(['ingest', dir, '--json', '--concurrency', '1', '--lease-seconds', '3'], env.env);
    const killed = exited(child);
    // Kill it once one document is stored and the next is being read.
    await until(async () => {
      const jobs = await jobsOf(dir);
      return jobs.some((j) => j.status === 'done') && jobs.some((j) => j.status === 'running');
    }, 120_000);
    child.kill('SIGKILL');
    expect((await killed).stdout).toBe('');
    const before = await jobsOf(dir);
    expect(before.filter((j) => j.status === 'done').length).toBeLessThan(3);

    const rerun = await crvs(['ingest', dir, '--json'], env.env);
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout) as IngestSummary;
    expect(summary).toMatchObject({ resumed: true, finished: true, files: 3, ingested: 3, duplicates: { count: 0 }, quarantined: { count: 0 } });
    const after = await jobsOf(dir);
    expect(after.map((j) => j.status)).toEqual(['done', 'done', 'done']);
    // The job the dead process held was taken over once its lease expired.
    expect(after.some((j) => j.attempts === 2)).toBe(true);
    const [{ documents, distinct }] = (await env.sql`
      select count(*)::int as documents, count(distinct original_sha256)::int as distinct from archive_documents`) as unknown as [{ documents: number; distinct: number }];
    expect({ documents, distinct }).toEqual({ documents: 3, distinct: 3 });
    const [{ versions }] = (await env.sql`select count(*)::int as versions from record_versions where kind = 'archive-entry'`) as unknown as [{ versions: number }];
    expect(versions).toBe(3);
    await everyObjectStored();
  }, 300_000);
});

describe('two OCR workers', () => {
  it('share one ingest: each file is read once, by one of them', async () => {
    const dir = scanFolder(['images/scan-db31-0005.jpg', 'images/scan-db31-0009.png', 'images/scan-db31-0010.jpg', 'images/scan-db31-0011.jpg']);
    const enqueued = await crvs(['ingest', dir, '--enqueue-only', '--json'], env.env);
    expect(enqueued.code).toBe(0);
    expect(JSON.parse(enqueued.stdout)).toMatchObject({ files: 4, pending: 4 });

    const workers = [1, 2].map(() => exited(startCrvs(['worker', 'ocr', '--drain', '--concurrency', '1', '--json'], env.env)));
    const results = await Promise.all(workers);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const totals = results.map((r) => JSON.parse(r.stdout) as { workerId: string; done: number });
    expect(totals[0]!.done + totals[1]!.done).toBe(4);
    expect(totals.every((t) => t.done >= 1)).toBe(true);

    const jobs = await jobsOf(dir);
    expect(jobs.map((j) => j.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(new Set(jobs.map((j) => j.worker))).toEqual(new Set(totals.map((t) => t.workerId)));
    const [run] = await env.sql`select finished_at from ingest_runs where source_key = ${dir}`;
    expect(run!.finished_at).not.toBeNull();
    await everyObjectStored();
  }, 300_000);
});
