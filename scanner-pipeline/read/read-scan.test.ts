import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createOcrPool } from '../ocr/pool.ts';
import { characterErrors, compareFields } from '../quality/score.ts';
import { readScan } from './read-scan.ts';

const corpus = path.resolve(fileURLToPath(new URL('../../../shared/corpus-dev', import.meta.url)));
const truth = (id: string) => JSON.parse(readFileSync(path.join(corpus, `truth/${id}.json`), 'utf8')) as { text: string; fields: unknown };
const languages = ['rus', 'uzb', 'uzb_cyrl'];

describe('reading a scan end to end (decode, language, OCR, fields)', () => {
  const pool = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 2 });
  afterAll(() => pool.close());

  it('reads an Uzbek Cyrillic birth certificate in its own language and extracts its fields', async () => {
    const scan = await readScan(readFileSync(path.join(corpus, 'images/scan-db31-0002.jpg')), { pool, languages });
    expect(scan).toMatchObject({ format: 'jpeg', language: 'uzb_cyrl', kind: 'birth' });
    const cer = characterErrors(scan.text, truth('scan-db31-0002').text);
    expect(cer.errors / cer.length).toBeLessThan(0.08);
    expect(scan.fields).toMatchObject({
      child: { familyName: { value: 'Юсуфов' }, givenName: { value: 'Абдулқодир' } },
      dateOfBirth: { value: '1983-11-13' },
      issueDate: { value: '1984-11-09' },
      certificateNumber: { value: '121798' },
    });
    expect(compareFields(truth('scan-db31-0002').fields, scan.fields).exact).toBeGreaterThanOrEqual(15);
  }, 120_000);

  it('reads both pages of a two-page TIFF, the back with its stamp', async () => {
    const scan = await readScan(readFileSync(path.join(corpus, 'images/scan-db31-0004.tiff')), { pool, languages });
    expect(scan.language).toBe('uzb');
    expect(scan.pages).toHaveLength(2);
    expect(scan.pages[1]!.ocr?.text).toMatch(/TAKRORIY BERILDI/);
    expect(scan.fields).toMatchObject({ child: { familyName: { value: 'Avazov' } }, dateOfBirth: { value: '2002-10-16' } });
  }, 120_000);
});
