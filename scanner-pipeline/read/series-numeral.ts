/**
 * @module
 * A second look at the certificate series line with a Latin-script model. Series are a Roman
 * numeral and two letters of the document's script ("I-ҚД", "III-ТШ"); the Russian and Uzbek
 * Cyrillic models have no Latin letters and read the numeral as В, Р, Г or 1М. One line in English
 * (installed with tesseract, and bundled with tesseract.js) costs a few tens of milliseconds.
 */
import type { GrayImage } from '../decode/pixels.ts';
import { encodePgm } from '../decode/pixels.ts';
import { fold } from '../extract/text.ts';
import type { OcrPool } from '../ocr/pool.ts';
import type { Box, PageText } from '../ocr/result.ts';

const LATIN_MODEL = 'eng';
const SERIES_WORDS = new Set([fold('Seriya'), fold('Серия')]);

/** The Roman numeral of the series as a Latin model reads it, or undefined. */
export async function readSeriesNumeral(pages: ReadonlyArray<{ image: GrayImage; ocr: PageText | null }>, pool: OcrPool): Promise<string | undefined> {
  for (const page of pages) {
    const line = page.ocr?.lines.find((l) => l.words.some((w) => SERIES_WORDS.has(fold(w.text).replace(/[-:.].*$/, ''))));
    if (!line) continue;
    const crop = cropLine(page.image, line.box);
    try {
      const read = await pool.recognise(encodePgm(crop), LATIN_MODEL, { pageSegmentation: '7', textOnly: true, urgent: true });
      return romanIn(read.text);
    } catch {
      return undefined; // no English model: the series stays as first read, for review
    }
  }
  return undefined;
}

/** "Seriya I-QD No 121798" → "I"; digits and bars read for I are mended. */
export function romanIn(text: string): string | undefined {
  // Capital numerals before a hyphen, even glued to the misread label ("CepusrI-KJ]"); else
  // digits and bars standing for I after a word boundary ("Seriya 1-QD").
  const m = /([IVX]{1,4})\s*[-–—]\s*\S{2}/.exec(text) ?? /(?:^|[\s:.])([IVXl1|]{1,4})\s*[-–—]\s*\S{2}/.exec(text);
  if (!m) return undefined;
  const roman = m[1]!.replace(/[l1|]/g, 'I');
  return /^(I{1,3}|IV|V|VI{1,3}|IX|X)$/.test(roman) ? roman : undefined;
}

function cropLine(image: GrayImage, box: Box): GrayImage {
  const margin = Math.round((box.y1 - box.y0) * 0.4);
  const x0 = Math.max(0, box.x0 - margin);
  const x1 = Math.min(image.width, box.x1 + margin);
  const y0 = Math.max(0, box.y0 - margin);
  const y1 = Math.min(image.height, box.y1 + margin);
  const width = Math.max(1, x1 - x0);
  const height = Math.max(1, y1 - y0);
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) data.set(image.data.subarray((y0 + y) * image.width + x0, (y0 + y) * image.width + x0 + width), y * width);
  return { width, height, data };
}
