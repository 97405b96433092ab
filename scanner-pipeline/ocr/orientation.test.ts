import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { characterErrors, compareFields } from '../quality/score.ts';
import { readScan } from '../read/read-scan.ts';
import { createOcrPool, type OcrPool, type RecogniseOptions } from './pool.ts';

const corpus = path.resolve(fileURLToPath(new URL('../../../shared/corpus-dev', import.meta.url)));
const image = (file: string) => readFileSync(path.join(corpus, 'images', file));
const truth = (id: string) => JSON.parse(readFileSync(path.join(corpus, `truth/${id}.json`), 'utf8')) as { lang: string; text: string; fields: Record<string, unknown> };
const languages = ['rus', 'uzb', 'uzb_cyrl'];

describe('pages stored upside down or sideways, without an EXIF orientation', () => {
  const base = createOcrPool({ tessdataDir: '/usr/share/tesseract-ocr/5/tessdata', concurrency: 2 });
  afterAll(() => base.close());
  /** The pool, recording every read it is asked for. */
  const counting = () => {
    const calls: { language: string; options: RecogniseOptions }[] = [];
    const pool: OcrPool = { ...base, recognise: (bytes, language, options = {}) => (calls.push({ language, options }), base.recognise(bytes, language, options)) };
    return { pool, calls };
  };

  // sharp's rotate(180) turns the stored pixels and drops the EXIF tag: scan-0012, a phone photo
  // stored sideways with EXIF orientation 8, comes out stored sideways the other way (turned 90°).
  it.each([
    ['scan-db31-0001', 'scan-db31-0001.png', 180],
    ['scan-db31-0005', 'scan-db31-0005.jpg', 180],
    ['scan-db31-0006', 'scan-db31-0006.jpg', 180],
    ['scan-db31-0012', 'scan-db31-0012.jpg', 90],
  ])('reads a certificate scanned upside down as if it were upright (%s)', async (id, file, turn) => {
    const upsideDown = await sharp(image(file)).rotate(180).png().toBuffer();
    const scan = await readScan(upsideDown, { pool: base, languages });
    const want = truth(id);
    expect(scan.language).toBe(want.lang);
    expect(scan.pages[0]!.turnDegrees).toBe(turn);
    const cer = characterErrors(scan.text, want.text);
    expect(cer.errors / cer.length).toBeLessThan(0.06);
    const fields = compareFields(want.fields, scan.fields);
    expect(fields.exact).toBeGreaterThanOrEqual(fields.total - 1);
    expect(scan.fields).not.toHaveProperty('legibility');
  }, 120_000);

  it('does not read an upright page twice', async () => {
    const { pool, calls } = counting();
    const scan = await readScan(image('scan-db31-0006.jpg'), { pool, languages });
    expect(scan.pages[0]!.turnDegrees).toBe(0);
    // One identification strip, then the page: nothing read again the other way up.
    expect(calls.map((c) => (c.options.textOnly ? 'strip' : 'page'))).toEqual(['strip', 'page']);
    expect(compareFields(truth('scan-db31-0006').fields, scan.fields).exact).toBe(17);
  }, 120_000);

  it('reads an upside-down page when only one language is configured', async () => {
    const upsideDown = await sharp(image('scan-db31-0006.jpg')).rotate(180).png().toBuffer();
    const scan = await readScan(upsideDown, { pool: base, languages: ['rus'] });
    expect(scan.pages[0]!.turnDegrees).toBe(180);
    expect(compareFields(truth('scan-db31-0006').fields, scan.fields).exact).toBeGreaterThanOrEqual(16);
  }, 120_000);

  it('reads a page stored sideways, in its own language', async () => {
    const sideways = await sharp(image('scan-db31-0001.png')).rotate(270).png().toBuffer();
    const scan = await readScan(sideways, { pool: base, languages });
    expect(scan).toMatchObject({ language: 'uzb', kind: 'birth' });
    expect(scan.pages[0]!.turnDegrees).toBe(90);
    expect(compareFields(truth('scan-db31-0001').fields, scan.fields).exact).toBeGreaterThanOrEqual(16);
  }, 120_000);

  it('flags a page that reads as nonsense every way round as unreadable, for review', async () => {
    const mirrored = await sharp(image('scan-db31-0001.png')).flop().png().toBuffer();
    const scan = await readScan(mirrored, { pool: base, languages });
    expect(scan.pages[0]!.turnDegrees).toBe(0);
    expect(scan.fields).toMatchObject({ legibility: { value: 'unreadable' } });
    expect(Object.keys(scan.fields)[0]).toBe('legibility');
  }, 120_000);
});
