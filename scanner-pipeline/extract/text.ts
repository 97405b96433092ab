/**
 * @module
 * The OCR text as the extractor sees it: lines of tokens, each with the recogniser's confidence,
 * cleaned of the marks frames and rules leave (`|`, `_`, `—` runs), and a folded spelling for
 * tolerant comparison of labels (case, Uzbek apostrophes, letters the Russian model cannot write,
 * Latin/Cyrillic look-alikes).
 */
import { editDistance } from '../quality/score.ts';
import type { PageText } from '../ocr/result.ts';

export interface Token {
  text: string;
  /** 0..1 */
  confidence: number;
}

export interface TextLine {
  tokens: Token[];
}

const EDGE_JUNK = /^[|_=~•·¦‖[\]{}]+|[|_=~•·¦‖[\]{}]+$/g;
const JUNK_TOKEN = /^[-–—_|=~•·¦‖:;,.'"`*^!\\/[\]{}()]*$/;

/** Lines of every read page, in order, with junk tokens dropped and empty lines left out. */
export function linesOf(pages: readonly PageText[]): TextLine[] {
  const lines: TextLine[] = [];
  for (const page of pages) {
    if (page.lines.length === 0) {
      lines.push(...linesFromText(page.text, page.confidence));
      continue;
    }
    for (const line of page.lines) pushLine(lines, line.words.map((w) => ({ text: w.text, confidence: w.confidence })));
  }
  return lines;
}

/** Lines from plain text, every token with the same confidence (tests, text-only OCR). */
export function linesFromText(text: string, confidence = 1): TextLine[] {
  const lines: TextLine[] = [];
  for (const raw of text.split('\n')) pushLine(lines, raw.split(/\s+/).map((t) => ({ text: t, confidence })));
  return lines;
}

function pushLine(lines: TextLine[], tokens: Token[]): void {
  const kept = joinNumberParts(tokens)
    .map((t) => ({ text: t.text.normalize('NFC').replace(EDGE_JUNK, ''), confidence: t.confidence }))
    .filter((t) => t.text !== '' && (t.text === '—' || !JUNK_TOKEN.test(t.text)));
  // A lone dash after a label means "none" (район —); elsewhere dashes are rule remnants.
  while (kept.length && kept[0]!.text === '—') kept.shift();
  if (kept.length) lines.push({ tokens: kept });
}

/**
 * OCR spaces dates out ("13 . 01 . 1938"): a separator standing alone between two numbers is
 * joined with them into one token, at the lowest confidence of the three.
 */
function joinNumberParts(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const token of tokens) {
    const prev = out[out.length - 1];
    const beforePrev = out[out.length - 2];
    const digitsThenSeparator = prev && /^[.,:/-]$/.test(prev.text) && beforePrev && /\d[.,:/-]?$/.test(beforePrev.text);
    if (digitsThenSeparator && /^\d/.test(token.text)) {
      out.splice(out.length - 2, 2, {
        text: beforePrev.text + prev.text + token.text,
        confidence: Math.min(beforePrev.confidence, prev.confidence, token.confidence),
      });
    } else if (prev && /^\d+[.,:/-]$/.test(prev.text) && /^\d/.test(token.text) && /^\d{1,4}([.,:/-]\d*)*$/.test(token.text)) {
      // "20. 02.1951": a number ending in a separator, then the next part.
      out.splice(out.length - 1, 1, { text: prev.text + token.text, confidence: Math.min(prev.confidence, token.confidence) });
    } else out.push(token);
  }
  return out;
}

export const lineText = (tokens: readonly Token[]): string => tokens.map((t) => t.text).join(' ');

/** The lowest confidence among the tokens a value came from (1 for none). */
export const minConfidence = (tokens: readonly Token[]): number =>
  tokens.reduce((m, t) => Math.min(m, t.confidence), tokens.length ? 1 : 0);

const FOLD: Record<string, string> = {
  // Letters the Russian model cannot write, folded to what it reads for them (and on to Latin).
  ё: 'e', ў: 'y', қ: 'k', ғ: 'г', ҳ: 'x', й: 'и',
  // Look-alikes OCR swaps between scripts, folded to Latin on both sides of every comparison.
  а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i',
};

/** Lower case, no apostrophes, quotes or trailing punctuation, look-alike letters merged. */
export function fold(word: string): string {
  let out = '';
  for (const ch of word.normalize('NFC').toLowerCase().replace(/[\u02BB\u02BC\u2018\u2019`´'"«»]/g, '')) {
    out += FOLD[ch] ?? ch;
  }
  return out.replace(/^[(:;,.]+|[):;,.]+$/g, '');
}

/** Edits tolerated between a folded word and a folded label word of this length. */
export function tolerance(length: number): number {
  if (length <= 3) return 0;
  if (length <= 7) return 1;
  return 2;
}

/** Distance between two folded words when within tolerance of the label word, else null. */
export function closeness(word: string, label: string): number | null {
  const d = editDistance(word, label);
  return d <= tolerance(label.length) ? d : null;
}
