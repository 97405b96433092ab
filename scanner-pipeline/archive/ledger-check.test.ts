import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestEnvironment, type TestEnvironment } from '../../tests/support/services.ts';
import { exportDocuments, getDocument, reviewQueue, type ExportLine } from './catalogue.ts';
import { searchArchive } from './search.ts';
import { archiveText } from './testing.ts';

let env: TestEnvironment;
beforeAll(async () => {
  env = await useTestEnvironment({ chain: false });
});
afterAll(() => env.close());

const FIELDS = { child: { familyName: { value: 'Ismoilov', confidence: 0.95 } } };
const archived = (text: string) => archiveText(env, text, FIELDS);

describe('an archived document whose row was changed behind the application’s back', () => {
  it('is shown as it was archived while nobody changed it', async () => {
    const id = await archived('Ismoilov Anvar, 1984');
    expect((await getDocument(env.sql, id)).fields).toEqual(FIELDS);
  });

  it('is refused, naming the fields, when a field was edited', async () => {
    const id = await archived('Ismoilov Botir, 1985');
    await env.sql`update archive_documents set fields = jsonb_set(fields, '{child,familyName,value}', '"Forgedov"') where id = ${id}`;
    await expect(getDocument(env.sql, id)).rejects.toMatchObject({ code: 'integrity-failure', details: { faults: ['fields differs from the ledger\'s version 1'] } });
  });

  it('is refused when its OCR text no longer matches the committed SHA-256', async () => {
    const id = await archived('Ismoilov Dilshod, 1986');
    await env.sql`update archive_documents set ocr_text = replace(ocr_text, 'Ismoilov', 'Forgedov') where id = ${id}`;
    await expect(getDocument(env.sql, id)).rejects.toMatchObject({ code: 'integrity-failure', details: { faults: ['the OCR text no longer matches its SHA-256'] } });
  });

  it('is refused when its kind was changed', async () => {
    const id = await archived('Ismoilov Erkin, 1987');
    await env.sql`update archive_documents set kind = 'marriage' where id = ${id}`;
    await expect(getDocument(env.sql, id)).rejects.toMatchObject({ code: 'integrity-failure', details: { faults: ['kind differs from the ledger\'s version 1'] } });
  });
});

describe('search hits checked against the ledger', () => {
  it('shows the fields of a hit that matches its ledger entry, and says so', async () => {
    const id = await archived('Ismoilov Farhod, 1988');
    const hit = (await searchArchive(env.sql, 'Farhod')).find((h) => h.id === id);
    expect(hit).toMatchObject({ ledger: 'matches', fields: FIELDS });
    expect(hit).not.toHaveProperty('faults');
  });

  it('still finds a hit whose row was edited, marked as differing, with its fields withheld', async () => {
    const id = await archived('Ismoilov Gayrat, 1989');
    await env.sql`update archive_documents set fields = jsonb_set(fields, '{child,familyName,value}', '"Forgedov"') where id = ${id}`;
    const hit = (await searchArchive(env.sql, 'Gayrat')).find((h) => h.id === id);
    expect(hit).toMatchObject({ ledger: 'differs', fields: null, faults: ["fields differs from the ledger's version 1"] });
  });

  it('marks a hit whose ledger versions are gone', async () => {
    const id = await archived('Ismoilov Hamid, 1990');
    // Around the append-only triggers, as a DBA could.
    await env.sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`delete from record_versions where record_id = ${id}`;
    });
    const hit = (await searchArchive(env.sql, 'Hamid')).find((h) => h.id === id);
    expect(hit).toMatchObject({ ledger: 'differs', fields: null });
    expect(hit!.faults).toEqual(["the registry calls version 1 current, but the ledger's newest is version none"]);
  });
});

describe('lists of documents checked against the ledger', () => {
  const LOW = { child: { familyName: { value: 'Ismoilov', confidence: 0.4 } } };

  it('keeps an edited document in the review queue, marked, with the values to review withheld', async () => {
    const [intact, edited] = [await archiveText(env, 'Ismoilov Ilhom, 1991', LOW), await archiveText(env, 'Ismoilov Jamol, 1992', LOW)];
    await env.sql`update archive_documents set fields = jsonb_set(fields, '{child,familyName,value}', '"Forgedov"') where id = ${edited}`;
    const queue = await reviewQueue(env.sql);
    expect(queue.find((d) => d.id === intact)).toMatchObject({ ledger: 'matches', pendingReview: [{ field: 'child.familyName', value: 'Ismoilov', confidence: 0.4 }] });
    expect(queue.find((d) => d.id === edited)).toMatchObject({
      ledger: 'differs',
      faults: ["fields differs from the ledger's version 1"],
      pendingReview: [{ field: 'child.familyName', value: null, confidence: 0.4 }],
    });
  });

  it('exports an edited document marked, without its fields and OCR text, and every document once across batches', async () => {
    const edited = await archived('Ismoilov Kamol, 1993');
    await env.sql`update archive_documents set ocr_text = replace(ocr_text, 'Ismoilov', 'Forgedov') where id = ${edited}`;
    const lines: ExportLine[] = [];
    await exportDocuments(env.sql, (line) => void lines.push(line), 2);
    const [count] = await env.sql<{ n: number }[]>`select count(*)::int as n from archive_documents`;
    expect(lines.map((l) => l.id).sort()).toEqual([...new Set(lines.map((l) => l.id))].sort());
    expect(lines).toHaveLength(count!.n);
    expect(lines.find((l) => l.id === edited)).toMatchObject({ ledger: 'differs', fields: null, ocrText: null, faults: ['the OCR text no longer matches its SHA-256'] });
    expect(lines.filter((l) => l.ledger === 'matches').every((l) => l.fields !== null && l.ocrText !== null)).toBe(true);
  });
});
