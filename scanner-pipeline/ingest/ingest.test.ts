/**
 * `crvs ingest DIR` end to end, as an archivist runs it: the real command in a child process, real
 * OCR, real PostgreSQL, object store and chain. The folder holds three corpus-dev scans (Uzbek
 * Cyrillic, Uzbek Latin, a two-page TIFF) and every bad input of corpus-dev/bad.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { getObject, headObject } from '../../services/objectstore/client.ts';
import { anchoringStatuses, recordHistory } from '../../services/ledger/record-versions.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { startAnchorWorker } from '../../services/ledger/anchor-worker.ts';
import type { IngestSummary } from './summary.ts';
import { BAD_FILES, CORPUS, crvs, scanFolder } from './cli-test-support.ts';

const SCANS = ['images/scan-db31-0002.jpg', 'images/scan-db31-0012.jpg', 'images/scan-db31-0004.tiff'];
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The quarantine reason code each `quarantine` or `blank` input of bad/expect.json must get. */
const REASONS: Record<string, string> = {
  'empty.jpg': 'empty-file',
  'truncated.jpg': 'truncated',
  'notes.png': 'not-an-image',
  'huge.png': 'too-many-pixels',
  'register.pdf': 'unsupported-format',
  'blank.jpg': 'blank-page',
};

let env: TestEnvironment;
let dir: string;
let first: { code: number; summary: IngestSummary; stderr: string };
beforeAll(async () => {
  env = await useTestEnvironment();
  dir = scanFolder([...SCANS, ...BAD_FILES]);
  const run = await crvs(['ingest', dir, '--json'], env.env);
  first = { code: run.code, summary: JSON.parse(run.stdout || '{}') as IngestSummary, stderr: run.stderr };
}, 300_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await env.close();
});

describe('crvs ingest DIR', () => {
  it('exits 0 with every file ingested, recognised as a duplicate or quarantined', () => {
    expect(first.stderr).not.toMatch(/^crvs:/m);
    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({ finished: true, files: 10, ingested: 3, pending: 0, unreadable: [] });
    expect(first.summary.duplicates.count + first.summary.quarantined.count).toBe(7);
  });

  it('quarantines each bad input of corpus-dev with the reason bad/expect.json describes', () => {
    const expectations = JSON.parse(readFileSync(path.join(CORPUS, 'bad/expect.json'), 'utf8')) as { file: string; expect: string; duplicateOf?: string }[];
    const quarantined = Object.fromEntries(first.summary.quarantined.files.map((q) => [q.file, q.reason]));
    for (const e of expectations) {
      if (e.expect === 'duplicate') {
        // Whichever of the two byte-identical files is met first is the document; the other is its duplicate.
        const pair = first.summary.duplicates.files.map((d) => [d.file, d.duplicateOf].sort());
        expect(pair).toContainEqual([`bad/${e.file}`, e.duplicateOf!].sort());
      } else {
        expect(quarantined[`bad/${e.file}`], e.file).toBe(REASONS[e.file]);
      }
    }
  });

  it('keeps the bytes of every quarantined file under a quarantine key', async () => {
    const entries = await env.sql<{ source_file: string; object_key: string; sha256: string }[]>`select source_file, object_key, sha256 from archive_quarantine`;
    expect(entries).toHaveLength(6);
    for (const q of entries) {
      expect(q.object_key).toMatch(/^quarantine\//);
      expect(sha256((await getObject(env.store, q.object_key))!)).toBe(q.sha256);
    }
  });

  it('stores each scan once, with every page, under the original SHA-256, and the duplicate not at all', async () => {
    const docs = await env.sql<{ id: string; source_file: string; pages: number; original_sha256: string; objects: { key: string; sha256: string; role: string }[] }[]>`
      select id, source_file, pages, original_sha256, objects from archive_documents order by source_file`;
    const pages = Object.fromEntries(docs.map((d) => [d.source_file, d.pages]));
    expect(docs).toHaveLength(3);
    expect(pages).toMatchObject({ 'images/scan-db31-0002.jpg': 1, 'images/scan-db31-0004.tiff': 2 });
    expect(pages['images/scan-db31-0012.jpg'] ?? pages['bad/copy-of-scan.jpg']).toBe(1);
    for (const doc of docs) {
      expect(doc.original_sha256).toBe(sha256(readFileSync(path.join(dir, doc.source_file))));
      expect(doc.objects.filter((o) => o.role === 'page-image')).toHaveLength(doc.pages);
      for (const o of doc.objects) {
        expect(o.key.startsWith(`scans/${doc.original_sha256.slice(0, 2)}/${doc.original_sha256}/`)).toBe(true);
        expect((await headObject(env.store, o.key))?.sha256).toBe(o.sha256);
      }
    }
  });

  it('commits each document to the ledger with the SHA-256 of its original and OCR text, and anchors it on the chain', async () => {
    const docs = await env.sql<{ id: string; ocr_text: string; original_sha256: string }[]>`select id, ocr_text, original_sha256 from archive_documents`;
    const versions = (await Promise.all(docs.map((d) => recordHistory(env.sql, d.id)))).map((h) => h[0]!);
    docs.forEach((d, i) => {
      expect(versions[i]!.content.data).toMatchObject({
        originalSha256: d.original_sha256,
        ocrTextSha256: sha256(new TextEncoder().encode(d.ocr_text)),
      });
    });
    const worker = startAnchorWorker(env.config, env.sql, createLogger('silent'));
    try {
      for (let i = 0; i < 60; i++) {
        const statuses = [...(await anchoringStatuses(env.sql, versions.map((v) => v.id))).values()];
        if (statuses.every((s) => s.status === 'anchored')) break;
        await sleep(500);
      }
    } finally {
      await worker.stop();
    }
    const statuses = [...(await anchoringStatuses(env.sql, versions.map((v) => v.id))).values()];
    expect(statuses.map((s) => s.status)).toEqual(['anchored', 'anchored', 'anchored']);
  });

  it('reads the fields of a scan with confidences', async () => {
    const [doc] = await env.sql<{ kind: string; language: string; fields: Record<string, unknown> }[]>`
      select kind, language, fields from archive_documents where source_file = 'images/scan-db31-0002.jpg'`;
    expect(doc).toMatchObject({ kind: 'birth', language: 'uzb_cyrl' });
    expect(doc!.fields).toMatchObject({ dateOfBirth: { value: '1983-11-13', confidence: expect.any(Number) } });
  });
});

describe('running the same ingest again', () => {
  it('stores nothing twice and reports every file as a duplicate', async () => {
    const again = await crvs(['ingest', dir, '--json'], env.env);
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as IngestSummary;
    expect(summary).toMatchObject({ resumed: false, files: 10, ingested: 0, quarantined: { count: 0 }, duplicates: { count: 10 } });
    const [{ n }] = (await env.sql`select count(*)::int as n from archive_documents`) as unknown as [{ n: number }];
    expect(n).toBe(3);
  });
});

describe('the archive of the ingested scans', () => {
  it('finds the Cyrillic birth certificate from a Latin query', async () => {
    const found = await crvs(['archive', 'search', 'Yusufov', '--json'], env.env);
    expect(found.code).toBe(0);
    expect((JSON.parse(found.stdout) as { results: { sourceFile: string }[] }).results[0]?.sourceFile).toBe('images/scan-db31-0002.jpg');
  });

  it('exports one JSON line per document that corpus-dev/score.mjs scores', async () => {
    const exported = await crvs(['archive', 'export', '--json'], env.env);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(Object.keys(line)).toEqual(expect.arrayContaining(['id', 'sourceFile', 'kind', 'language', 'fields', 'ocrText', 'reviewStatus']));
    const file = path.join(dir, 'export.jsonl');
    writeFileSync(file, exported.stdout);
    const score = JSON.parse(execFileSync(process.execPath, [path.join(CORPUS, 'score.mjs'), CORPUS, file], { encoding: 'utf8' })) as { matched: number; cerProject: number };
    // score.mjs matches documents to the truth by file name (the copy of scan 0012 may stand for it).
    expect(score.matched).toBe(lines.filter((l) => /scan-db31-\d+\./.test(String(l.sourceFile))).length);
    expect(score.matched).toBeGreaterThanOrEqual(2);
    expect(score.cerProject).toBeLessThan(0.2);
  });

  it('lists the documents waiting for review', async () => {
    const listed = await crvs(['review', 'list', '--json'], env.env);
    expect(listed.code).toBe(0);
    const queue = JSON.parse(listed.stdout) as { count: number; documents: { pendingReview: unknown[] }[] };
    expect(queue.count).toBe(first.summary.needsReview.count);
    for (const d of queue.documents) expect(d.pendingReview.length).toBeGreaterThan(0);
  });
});
