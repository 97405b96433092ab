/**
 * @module
 * From OCR text to the structured record of a document: its kind (birth or marriage, from the
 * headings when not given) and its fields, named as in the ground truth (`child.familyName`,
 * `surnamesAfterMarriage.wife`, …), each `{value, confidence}`; dates as ISO `YYYY-MM-DD`.
 *
 * @example
 * const { kind, fields } = extractFields(pages, { language: 'uzb_cyrl', kind: null });
 * fields.dateOfBirth; // { value: '1983-11-13', confidence: 0.91 }
 */
import type { PageText } from '../ocr/result.ts';
import { extractBirth } from './birth.ts';
import { extractMarriage } from './marriage.ts';
import { fold, linesFromText, linesOf, type TextLine } from './text.ts';
import type { FieldValue, SeriesHint } from './values.ts';

export type { FieldValue } from './values.ts';
export type DocumentKind = 'birth' | 'marriage';

export interface FieldTree {
  [name: string]: FieldValue | FieldTree;
}

export interface ExtractedDocument {
  /** Null when neither the caller nor the headings say. */
  kind: DocumentKind | null;
  kindConfidence: number;
  fields: FieldTree;
}

export interface ExtractOptions {
  /** The tesseract language the text was read in (`rus`, `uzb`, `uzb_cyrl`, or several joined by +). */
  language: string;
  kind: DocumentKind | null;
  /** Readings from a second look at part of the page (see read/series-numeral.ts). */
  hints?: SeriesHint;
}

export function extractFields(pages: readonly PageText[], options: ExtractOptions): ExtractedDocument {
  const document = extractFromLines(linesOf(pages), options);
  const confidence = readingConfidence(pages);
  if (confidence >= LEGIBLE_CONFIDENCE) return document;
  // First in the tree, so it heads the fields an archivist is asked about.
  return { ...document, fields: { [LEGIBILITY_FIELD]: { value: 'unreadable', confidence: Math.round(confidence * 1000) / 1000 }, ...document.fields } };
}

/**
 * The field under which a document whose pages read as nonsense (upside down even after the
 * orientation check, mirrored, too faint) waits for review: its value is `unreadable`, its
 * confidence the reading's, so the review queue says why rather than only asking for the kind.
 */
export const LEGIBILITY_FIELD = 'legibility';

/**
 * Below this mean word confidence the text is taken as nonsense. Corpus-dev: readable pages 0.86–0.94
 * (a back page of stamps included), pages read upside down, sideways or mirrored 0.17–0.38.
 */
export const LEGIBLE_CONFIDENCE = 0.5;

/** Mean word confidence over every page, weighted by the characters read (0 when nothing was read). */
function readingConfidence(pages: readonly PageText[]): number {
  let weighted = 0;
  let letters = 0;
  for (const page of pages) {
    const n = page.text.replace(/\s/g, '').length;
    weighted += page.confidence * n;
    letters += n;
  }
  return letters ? weighted / letters : 0;
}

/** The same from plain text (each word at confidence 1): tests and re-extraction of stored text. */
export function extractFromText(text: string, options: ExtractOptions): ExtractedDocument {
  return extractFromLines(linesFromText(text), options);
}

function extractFromLines(lines: TextLine[], options: ExtractOptions): ExtractedDocument {
  const cyrillic = isCyrillicText(lines, options.language);
  const detected = detectKind(lines);
  const kind = options.kind ?? detected?.kind ?? null;
  const kindConfidence = options.kind ? 1 : (detected?.confidence ?? 0);
  if (kind === 'birth') return { kind, kindConfidence, fields: { ...extractBirth(lines, cyrillic, options.hints) } };
  if (kind === 'marriage') return { kind, kindConfidence, fields: { ...extractMarriage(lines, cyrillic, options.hints) } };
  return { kind: null, kindConfidence: 0, fields: {} };
}

/** The tree as plain values, the shape of the ground truth (`{child: {familyName: 'Юсуфов'}}`). */
export function fieldValues(tree: FieldTree): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(tree).map(([name, node]) => [name, 'confidence' in node && 'value' in node ? node.value : fieldValues(node as FieldTree)]),
  );
}

/** The script fields are written in: the language's, or the letters' when several were allowed. */
function isCyrillicText(lines: TextLine[], language: string): boolean {
  if (language === 'rus' || language === 'uzb_cyrl') return true;
  if (language === 'uzb' || language === 'eng') return false;
  const text = lines.flatMap((l) => l.tokens.map((t) => t.text)).join(' ');
  return (text.match(/[\u0400-\u04FF]/g)?.length ?? 0) > (text.match(/[A-Za-z]/g)?.length ?? 0);
}

const MARKERS: Record<DocumentKind, string[]> = {
  birth: ['рождении', 'рождения', "tug'ilganlik", 'туғилганлик', "tug'ilish", 'туғилиш', 'родился(лась)', 'родители', 'ota-onasi'],
  marriage: ['брака', 'браке', 'nikoh', 'никоҳ', "nikohdan", 'никоҳдан', 'гражданин', 'гражданка', 'супругов', 'tuzilganligi'],
};
const FOLDED_MARKERS = Object.fromEntries(
  Object.entries(MARKERS).map(([kind, words]) => [kind, new Set(words.map(fold))]),
) as Record<DocumentKind, Set<string>>;

/**
 * The kind from words only one kind of certificate carries; the first lines (the heading) count
 * three times. Null when no marker was read.
 */
export function detectKind(lines: readonly TextLine[]): { kind: DocumentKind; confidence: number } | null {
  const score: Record<DocumentKind, number> = { birth: 0, marriage: 0 };
  lines.forEach((line, i) => {
    for (const token of line.tokens) {
      const word = fold(token.text);
      for (const kind of ['birth', 'marriage'] as const) if (FOLDED_MARKERS[kind].has(word)) score[kind] += i < 6 ? 3 : 1;
    }
  });
  const total = score.birth + score.marriage;
  if (total === 0) return null;
  const kind = score.birth >= score.marriage ? 'birth' : 'marriage';
  return { kind, confidence: Math.abs(score.birth - score.marriage) / total };
}
