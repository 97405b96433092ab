/**
 * @module
 * The compute core in one call: a scan's bytes → preprocessed pages → its language → OCR text with
 * layout → the fields of its document kind. No storage, no database: the ingest wraps this.
 *
 * Language: when more than one candidate is allowed, two short lines of the first page with text
 * are read with the candidates (Russian standing in for Uzbek Cyrillic: {@link textStrip},
 * {@link identificationLanguages}, {@link identifyLanguage}); every page is then read in that one
 * language, which is what makes tesseract.js as fast as the native CLI reading all three. When the
 * lines do not tell (a page of stamps), the pages are read with all candidates, as the CLI would.
 * A series whose Roman numeral the page's model could not write gets a second look
 * ({@link readSeriesNumeral}). A page stored upside down or sideways is turned before its full
 * read, found when a strip or page reads unsure ({@link readStripUpright}, {@link readPageUpright}).
 *
 * @example
 * const pool = createOcrPool({ tessdataDir, concurrency: 2 });
 * const scan = await readScan(bytes, { pool, languages: ['rus', 'uzb', 'uzb_cyrl'] });
 * scan.fields.child.familyName; // { value: 'Юсуфов', confidence: 0.93 }
 */
import { decodeScan, type DecodeOptions, type ScanPage } from '../decode/decode.ts';
import type { ScanFormat } from '../decode/sniff.ts';
import { extractFields, type DocumentKind, type ExtractedDocument } from '../extract/extract.ts';
import { identificationLanguages, identifyLanguage } from '../ocr/identify.ts';
import { readPageUpright, readStripUpright } from '../ocr/orientation.ts';
import type { OcrPool } from '../ocr/pool.ts';
import type { PageText } from '../ocr/result.ts';
import { textStrip } from '../ocr/strip.ts';
import { readSeriesNumeral } from './series-numeral.ts';

export interface ReadScanOptions {
  pool: OcrPool;
  /** Candidate tesseract languages, e.g. ['rus', 'uzb', 'uzb_cyrl']. */
  languages: readonly string[];
  /** The document kind when known; otherwise found from the headings. */
  kind?: DocumentKind | null;
  decode?: DecodeOptions;
}

export interface ReadPage extends ScanPage {
  /** Null for a blank page (not read). */
  ocr: PageText | null;
}

export interface ScanRead extends ExtractedDocument {
  format: ScanFormat;
  /** The language set the pages were read with (`uzb`, or `rus+uzb+uzb_cyrl` when undecided). */
  language: string;
  languageConfidence: number;
  pages: ReadPage[];
  /** Every read page's text, pages separated by a newline. */
  text: string;
  /** Mean OCR word confidence over the read pages, 0..1. */
  confidence: number;
}

/** Throws UnreadableScanError (quarantine) or MissingLanguageError (configuration). */
export async function readScan(bytes: Uint8Array, options: ReadScanOptions): Promise<ScanRead> {
  const scan = await decodeScan(bytes, options.decode);
  const { language, confidence: languageConfidence, checked } = await chooseLanguage(scan.pages, options);
  const pages: ReadPage[] = await Promise.all(
    scan.pages.map(async (page) => (page.blank ? { ...page, ocr: null } : readPageUpright(options.pool, page, language, checked.has(page.index)))),
  );
  const read = pages.flatMap((p) => (p.ocr ? [p.ocr] : []));
  const text = read.map((p) => p.text).join('\n');
  const confidence = read.length ? read.reduce((s, p) => s + p.confidence, 0) / read.length : 0;
  let extracted = extractFields(read, { language, kind: options.kind ?? null });
  if (needsSeriesNumeral(extracted)) {
    const roman = await readSeriesNumeral(pages, options.pool);
    if (roman) extracted = extractFields(read, { language, kind: options.kind ?? null, hints: { roman } });
  }
  return { format: scan.format, language, languageConfidence, pages, text, confidence, ...extracted };
}

/** A series found whose Roman numeral was not readable in the page's model. */
function needsSeriesNumeral(extracted: ExtractedDocument): boolean {
  const series = extracted.fields['certificateSeries'];
  const value = series && 'value' in series ? series.value : null;
  return typeof value === 'string' && !/^(I{1,3}|IV|V|VI{1,3}|IX|X)-/.test(value);
}

/** Also turns, in `pages`, the pages its strips show upside down or sideways; `checked`: the pages whose strip it read. */
async function chooseLanguage(pages: ScanPage[], options: ReadScanOptions): Promise<{ language: string; confidence: number; checked: Set<number> }> {
  const all = options.languages.join('+');
  const checked = new Set<number>();
  if (options.languages.length === 1) return { language: all, confidence: 1, checked };
  for (const [i, page] of pages.entries()) {
    if (page.blank) continue;
    const strip = textStrip(page.image, 2);
    if (!strip) continue;
    const quick = await readStripUpright(options.pool, page, strip, identificationLanguages(options.languages).join('+'));
    pages[i] = quick.page;
    checked.add(page.index);
    const guess = identifyLanguage(quick.read.text, options.languages);
    if (guess) return { ...guess, checked };
  }
  return { language: all, confidence: 0, checked };
}
