/**
 * The archive on real services: storing a read document (objects, archive row, ledger version),
 * searching it, exporting it and reviewing its fields. The documents are corpus-dev scans with
 * their ground truth standing in for what OCR and extraction read, so these tests pin the storage
 * side independently of OCR quality; scanner-pipeline/ingest/ingest.test.ts runs the real reader.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { getObject, headObject } from '../../services/objectstore/client.ts';
import { recordHistory } from '../../services/ledger/record-versions.ts';
import { createToken } from '../../services/access/tokens.ts';
import { asRegistryError, problemResponse } from '../../services/http/problem.ts';
import { createApp } from '../../services/http/app.ts';
import { registryRoutes } from '../../services/registry/routes.ts';
import { createLogger } from '../../services/observability/logger.ts';
import { claimJob, enqueueFile, openRun } from '../queue/jobs.ts';
import type { DocumentRead } from '../ingest/read-document.ts';
import { storeDocument } from './documents.ts';
import { exportDocuments, getDocument, reviewQueue, type ExportLine } from './catalogue.ts';
import { searchArchive } from './search.ts';
import { reviewField } from './review.ts';
import { archiveRoutes } from './routes.ts';
import { sha256Hex } from './keys.ts';
import type { FieldTree } from './fields.ts';

const CORPUS = path.resolve('../shared/corpus-dev');
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

interface Truth {
  kind: 'birth' | 'marriage';
  lang: string;
  fields: Record<string, unknown>;
  text: string;
  pages: string[];
}

/** The truth's values as fields read with `confidence`, except those listed in `low`. */
function asFields(values: Record<string, unknown>, confidence: number, low: Record<string, number>, prefix = ''): FieldTree {
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => {
      const p = prefix ? `${prefix}.${name}` : name;
      return [name, typeof v === 'object' && v !== null ? asFields(v as Record<string, unknown>, confidence, low, p) : { value: v as string, confidence: low[p] ?? confidence }];
    }),
  );
}

/** Archives a corpus scan as if OCR had read its ground truth exactly. */
async function archiveScan(id: string, low: Record<string, number> = {}, options: { unknownKind?: boolean } = {}) {
  const truth = JSON.parse(readFileSync(path.join(CORPUS, 'truth', `${id}.json`), 'utf8')) as Truth & { image: { file: string } };
  const original = readFileSync(path.join(CORPUS, truth.image.file));
  const read: DocumentRead = {
    kind: options.unknownKind ? null : truth.kind,
    language: truth.lang,
    pages: truth.pages.map((text, i) => ({
      number: i + 1,
      image: new Uint8Array(Buffer.from(`page image ${i + 1} of ${id}`)),
      imageExtension: 'png',
      imageContentType: 'image/png',
      text,
      hocr: `<div class='ocr_page' id='page_${i + 1}'>${text}</div>`,
      confidence: 0.9,
    })),
    text: truth.text,
    confidence: 0.9,
    fields: options.unknownKind ? {} : asFields(truth.fields, 0.95, low),
  };
  const key = `/corpus/${id}`;
  const { run } = await openRun(env.sql, { source: key, sourceKey: key, languages: truth.lang, kind: null, reviewThreshold: 0.8 });
  await enqueueFile(env.sql, run.id, { sourceFile: truth.image.file, sha256: sha256(original), sizeBytes: original.length, kind: null, languages: truth.lang }, async () => 'incoming/x');
  const job = (await claimJob(env.sql, { workerId: 'test', leaseSeconds: 60, runId: run.id }))!;
  const stored = await storeDocument(env.sql, env.store, { job, workerId: 'test', original, read, reviewThreshold: 0.8 });
  return { ...stored, original, truth };
}

let cyrillic: Awaited<ReturnType<typeof archiveScan>>;
let russian: Awaited<ReturnType<typeof archiveScan>>;
let latin: Awaited<ReturnType<typeof archiveScan>>;
beforeAll(async () => {
  cyrillic = await archiveScan('scan-db31-0002', { 'child.givenName': 0.41 });
  russian = await archiveScan('scan-db31-0006');
  latin = await archiveScan('scan-db31-0003', { recordNumber: 0.5, 'wife.givenName': 0.6 });
});

describe('storing a document', () => {
  it('puts the original, page images, hOCR and OCR text under keys of the original SHA-256, each with its SHA-256 in metadata', async () => {
    const doc = await getDocument(env.sql, cyrillic.documentId);
    const hash = sha256(cyrillic.original);
    expect(doc.objects.map((o) => [o.role, o.key])).toEqual([
      ['original', `scans/${hash.slice(0, 2)}/${hash}/original.jpg`],
      ['page-image', `scans/${hash.slice(0, 2)}/${hash}/page-1.png`],
      ['hocr', `scans/${hash.slice(0, 2)}/${hash}/page-1.hocr`],
      ['ocr-text', `scans/${hash.slice(0, 2)}/${hash}/ocr.txt`],
    ]);
    for (const object of doc.objects) {
      const bytes = (await getObject(env.store, object.key))!;
      expect(sha256Hex(bytes)).toBe(object.sha256);
      expect((await headObject(env.store, object.key))!.sha256).toBe(object.sha256);
    }
  });

  it('commits the SHA-256 of the original and of the OCR text, every object, the fields and the review status to the ledger', async () => {
    const [version] = await recordHistory(env.sql, cyrillic.documentId);
    expect(version!.kind).toBe('archive-entry');
    expect(version!.content.data).toMatchObject({
      sourceFile: 'images/scan-db31-0002.jpg',
      kind: 'birth',
      language: 'uzb_cyrl',
      pages: 1,
      originalSha256: sha256(cyrillic.original),
      ocrTextSha256: sha256(cyrillic.truth.text),
      reviewStatus: 'needs-review',
      pendingReview: ['child.givenName'],
      fields: { child: { givenName: { value: 'Абдулқодир', confidence: 0.41 } } },
    });
    expect((version!.content.data.objects as unknown[]).length).toBe(4);
  });

  it('needs no review when every field was read with confidence', async () => {
    expect((await getDocument(env.sql, russian.documentId)).reviewStatus).toBe('not-needed');
  });
});

describe('search', () => {
  it('finds a name written in Cyrillic from its Latin spelling', async () => {
    const hits = await searchArchive(env.sql, 'Yusufov Abdulqodir');
    expect(hits[0]?.id).toBe(cyrillic.documentId);
  });

  it('finds a Russian name typed in Latin, in any order', async () => {
    expect((await searchArchive(env.sql, 'Yelena Shubina'))[0]?.id).toBe(russian.documentId);
  });

  it('finds a name spelled a little differently or misread', async () => {
    expect((await searchArchive(env.sql, 'Yusupov'))[0]?.id).toBe(cyrillic.documentId);
    expect((await searchArchive(env.sql, 'Shubna'))[0]?.id).toBe(russian.documentId);
  });

  it('finds a Latin-script name typed in Cyrillic', async () => {
    expect((await searchArchive(env.sql, 'Нарімонова')).map((h) => h.id)).toContain(latin.documentId);
    expect((await searchArchive(env.sql, 'Наримонова Зухра')).map((h) => h.id)).toContain(latin.documentId);
  });

  it('finds a date typed as the page prints it or as an ISO date, and a certificate number', async () => {
    expect((await searchArchive(env.sql, '13.11.1983')).map((h) => h.id)).toEqual([cyrillic.documentId]);
    expect((await searchArchive(env.sql, '1983-11-13')).map((h) => h.id)).toEqual([cyrillic.documentId]);
    expect((await searchArchive(env.sql, '526287')).map((h) => h.id)).toEqual([russian.documentId]);
  });

  it('finds nothing for a name no document holds', async () => {
    expect(await searchArchive(env.sql, 'Xolmirzayev')).toEqual([]);
  });
});

describe('export', () => {
  it('writes one line per document with the fields score.mjs compares', async () => {
    const lines: ExportLine[] = [];
    await exportDocuments(env.sql, (line) => void lines.push(JSON.parse(JSON.stringify(line))), 2);
    expect(lines.map((l) => l.sourceFile).sort()).toEqual(['images/scan-db31-0002.jpg', 'images/scan-db31-0003.jpg', 'images/scan-db31-0006.jpg']);
    const line = lines.find((l) => l.id === russian.documentId)!;
    expect(Object.keys(line).sort()).toEqual(['fields', 'id', 'kind', 'language', 'ledger', 'ocrText', 'originalSha256', 'pages', 'reviewStatus', 'sourceFile']);
    expect(line).toMatchObject({ kind: 'birth', language: 'rus', ocrText: russian.truth.text, reviewStatus: 'not-needed', ledger: 'matches' });
    expect(line.fields).toMatchObject({ dateOfBirth: { value: '1991-03-22' } });
  });
});

describe('review', () => {
  it('lists documents with fields below the threshold, with those fields', async () => {
    const queue = await reviewQueue(env.sql);
    expect(queue.find((d) => d.id === latin.documentId)?.pendingReview).toEqual([
      { field: 'wife.givenName', value: 'Zuxra', confidence: 0.6 },
      { field: 'recordNumber', value: '86', confidence: 0.5 },
    ]);
    expect(queue.map((d) => d.id)).not.toContain(russian.documentId);
  });

  it('makes a fix a new ledger version naming the one before, leaving the OCR text as read', async () => {
    const before = await getDocument(env.sql, latin.documentId);
    const after = await reviewField(env.sql, latin.documentId, { field: 'recordNumber', action: 'fix', value: '87' }, { role: 'archivist', office: null, subject: null });
    const history = await recordHistory(env.sql, latin.documentId);
    expect(history.map((v) => v.version)).toEqual([1, 2]);
    expect(history[1]!.previousCommitment).toBe(history[0]!.commitment);
    expect(history[1]!.content.data).toMatchObject({
      fields: { recordNumber: { value: '87', confidence: 1, reviewed: true } },
      ocrTextSha256: before.ocrTextSha256,
      objects: before.objects,
      pendingReview: ['wife.givenName'],
      review: { field: 'recordNumber', action: 'fix', reviewer: { role: 'archivist', office: null } },
    });
    expect(after.ocrText).toBe(before.ocrText);
    expect(after.reviewStatus).toBe('needs-review');
  });

  it('marks the document reviewed once its last doubtful field is confirmed', async () => {
    const doc = await reviewField(env.sql, latin.documentId, { field: 'wife.givenName', action: 'confirm' }, { role: 'archivist', office: null, subject: null });
    expect(doc).toMatchObject({ reviewStatus: 'reviewed', pendingReview: [], version: 3 });
    expect((await reviewQueue(env.sql)).map((d) => d.id)).not.toContain(latin.documentId);
  });

  it('refuses a review of a version that is no longer current', async () => {
    await expect(
      reviewField(env.sql, latin.documentId, { field: 'recordNumber', action: 'confirm', version: 1 }, { role: 'archivist', office: null, subject: null }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('reads the fields again when an archivist names the kind of a document nobody could tell, and asks to review them all', async () => {
    const unknown = await archiveScan('scan-db31-0009', {}, { unknownKind: true });
    expect(unknown).toMatchObject({ reviewStatus: 'needs-review', pendingReview: ['kind'] });
    const named = await reviewField(env.sql, unknown.documentId, { field: 'kind', action: 'fix', value: 'birth' }, { role: 'archivist', office: null, subject: null });
    const truth = unknown.truth.fields as { child: { familyName: string }; dateOfBirth: string };
    expect(named).toMatchObject({ kind: 'birth', fields: { child: { familyName: { value: truth.child.familyName } }, dateOfBirth: { value: truth.dateOfBirth } } });
    expect(named.pendingReview).toEqual(expect.arrayContaining(['child.familyName', 'dateOfBirth', 'certificateNumber']));
    expect(named.pendingReview).not.toContain('kind');
  });

  it('refuses a date fixed in another form than YYYY-MM-DD', async () => {
    await expect(
      reviewField(env.sql, russian.documentId, { field: 'dateOfBirth', action: 'fix', value: '22.03.1991' }, { role: 'archivist', office: null, subject: null }),
    ).rejects.toMatchObject({ code: 'validation-failed', field: 'value' });
  });
});

describe('archive API', () => {
  let app: Hono;
  let archivist: string;
  let auditor: string;
  beforeAll(async () => {
    app = new Hono();
    app.route('/', archiveRoutes({ sql: env.sql, store: env.store }));
    app.onError((error, c) => problemResponse(c, asRegistryError(error)));
    archivist = (await createToken(env.sql, { name: 'archive test archivist', role: 'archivist' })).token;
    auditor = (await createToken(env.sql, { name: 'archive test auditor', role: 'auditor' })).token;
  });
  const call = (token: string | null, url: string, init: RequestInit = {}) =>
    app.request(url, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' } });

  it('asks for a bearer token', async () => {
    const res = await call(null, '/v1/archive/search?q=Yusufov');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'urn:crvs:problem:unauthenticated' });
  });

  it('searches for an auditor and an archivist alike', async () => {
    const res = await call(auditor, `/v1/archive/search?q=${encodeURIComponent('Юсуфов')}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: unknown[] }).results[0]).toMatchObject({ id: cyrillic.documentId, sourceFile: 'images/scan-db31-0002.jpg' });
  });

  it('shows a document with its OCR text and its ledger history', async () => {
    const res = await call(auditor, `/v1/archive/documents/${cyrillic.documentId}`);
    expect(await res.json()).toMatchObject({ id: cyrillic.documentId, ocrText: cyrillic.truth.text, history: [{ version: 1, anchoring: { status: 'pending' } }] });
    expect((await call(auditor, '/v1/archive/documents/not-a-document')).status).toBe(404);
  });

  it("lets an archivist fix a field, and not an auditor", async () => {
    const body = JSON.stringify({ field: 'child.givenName', action: 'fix', value: 'Абдулқодир' });
    const refused = await call(auditor, `/v1/archive/documents/${cyrillic.documentId}/review`, { method: 'POST', body });
    expect(refused.status).toBe(403);
    const res = await call(archivist, `/v1/archive/documents/${cyrillic.documentId}/review`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ reviewStatus: 'reviewed', version: 2, history: [{ version: 1 }, { version: 2, review: { field: 'child.givenName', action: 'fix' } }] });
    const [trail] = await env.sql`select actor_role, status, record_id from audit_trail where route = '/v1/archive/documents/:id/review' and status = 200`;
    expect(trail).toMatchObject({ actor_role: 'archivist', record_id: cyrillic.documentId });
  });

  it('answers a review of an unknown field with a validation problem naming it', async () => {
    const res = await call(archivist, `/v1/archive/documents/${russian.documentId}/review`, { method: 'POST', body: JSON.stringify({ field: 'child.nickname', action: 'confirm' }) });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ type: 'urn:crvs:problem:validation-failed', field: 'field' });
  });

  it('lists the review queue', async () => {
    const res = await call(archivist, '/v1/archive/review');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { documents: { id: string }[] }).documents.map((d) => d.id)).not.toContain(cyrillic.documentId);
  });
});

describe('archive API beside the registry API on one app', () => {
  it('authenticates once and writes one audit entry per review', async () => {
    const logger = createLogger('silent');
    const app = createApp({ logger, readiness: {}, routers: [registryRoutes({ sql: env.sql, logger }), archiveRoutes({ sql: env.sql, store: env.store })] });
    const { token } = await createToken(env.sql, { name: 'archive test archivist 2', role: 'archivist' });
    const entriesFor = () => env.sql`select status from audit_trail where record_id = ${russian.documentId} order by id`;
    const before = (await entriesFor()).length;
    const res = await app.request(`/v1/archive/documents/${russian.documentId}/review`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ field: 'certificateNumber', action: 'confirm' }),
    });
    expect(res.status).toBe(200);
    expect((await entriesFor()).slice(before).map((e) => e.status)).toEqual([200]);
    expect((await app.request('/v1/archive/review')).status).toBe(401);
  });
});
