import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeScan } from '../decode/decode.ts';
import { encodePgm } from '../decode/pixels.ts';
import { MissingLanguageError } from './languages.ts';
import { createOcrPool } from './pool.ts';

const corpus = path.resolve(fileURLToPath(new URL('../../../shared/corpus-dev', import.meta.url)));
const tessdataDir = '/usr/share/tesseract-ocr/5/tessdata';
const tiny = encodePgm({ width: 80, height: 40, data: new Uint8Array(3200).fill(255) });

describe('OCR pool (tesseract.js, real models)', () => {
  const pool = createOcrPool({ tessdataDir, concurrency: 2 });
  afterAll(() => pool.close());

  it('reads a scan in its language, with per-word confidences, layout and hOCR', async () => {
    const scan = await decodeScan(readFileSync(path.join(corpus, 'images/scan-db31-0002.jpg')));
    const page = await pool.recognise(encodePgm(scan.pages[0]!.image), 'uzb_cyrl');
    expect(page.text).toContain('Юсуфов');
    expect(page.text).toContain('Туғилган');
    const words = page.lines.flatMap((l) => l.words);
    expect(words.length).toBeGreaterThan(40);
    expect(words.every((w) => w.confidence >= 0 && w.confidence <= 1 && w.box.x1 > w.box.x0)).toBe(true);
    expect(page.confidence).toBeGreaterThan(0.7);
    expect(page.hocr).toContain("class='ocrx_word'");
  }, 60_000);

  it('refuses a language that is not installed, naming the package, before starting a worker', async () => {
    const started = pool.stats().workersStarted;
    await expect(pool.recognise(tiny, 'rus+kaz')).rejects.toThrow(MissingLanguageError);
    await expect(pool.recognise(tiny, 'kaz')).rejects.toThrow(/tesseract-ocr-kaz/);
    expect(pool.stats().workersStarted).toBe(started);
  });

  it('fails only the page whose image is broken, and goes on with a fresh worker', async () => {
    const replaced = pool.stats().workersReplaced;
    await expect(pool.recognise(new TextEncoder().encode('not an image at all'), 'rus')).rejects.toThrow();
    expect(pool.stats().workersReplaced).toBe(replaced + 1);
    await expect(pool.recognise(tiny, 'rus')).resolves.toMatchObject({ language: 'rus', text: '' });
  }, 60_000);
});

describe('OCR pool recycling', () => {
  it('keeps at most maxWorkers, ending the least recently used idle one', async () => {
    const pool = createOcrPool({ tessdataDir, concurrency: 1, maxWorkers: 2 });
    try {
      for (const language of ['uzb_cyrl', 'rus', 'uzb_cyrl', 'uzb']) await pool.recognise(tiny, language, { textOnly: true });
      expect(pool.stats()).toMatchObject({ workersStarted: 3, workers: 2, workersReplaced: 0 });
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('replaces a worker after the configured number of pages', async () => {
    const pool = createOcrPool({ tessdataDir, concurrency: 1, recycleAfterPages: 2 });
    try {
      for (let i = 0; i < 5; i++) await pool.recognise(tiny, 'uzb_cyrl', { textOnly: true });
      expect(pool.stats()).toMatchObject({ pages: 5, workersStarted: 3, workersReplaced: 2 });
    } finally {
      await pool.close();
    }
  }, 60_000);
});
