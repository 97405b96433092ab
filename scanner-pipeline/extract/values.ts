/**
 * @module
 * Values after a label, each with its confidence: the lowest OCR confidence of the words it was
 * read from, lowered when the value does not have the shape its field must have (a date that is no
 * calendar date, a number with letters, a series without its two letters).
 */
import { mendDigits, parseDate } from './dates.ts';
import { findLabel, type LabelName } from './labels.ts';
import { restoreKnownWords } from './lexicon.ts';
import { uzbekApostrophes } from './names.ts';
import { lineText, minConfidence, type TextLine, type Token } from './text.ts';

export interface FieldValue {
  /** As the registry records it (ISO `YYYY-MM-DD` for dates); null when not found. */
  value: string | null;
  /** 0..1 */
  confidence: number;
}

export const missing = (): FieldValue => ({ value: null, confidence: 0 });
export const found = (value: string, confidence: number): FieldValue => ({ value, confidence: Math.round(confidence * 1000) / 1000 });

/** Tokens whose text overlaps characters [start, end) of `lineText(tokens)`. */
export function tokensInSpan(tokens: readonly Token[], start: number, end: number): Token[] {
  const out: Token[] = [];
  let at = 0;
  for (const t of tokens) {
    const tEnd = at + t.text.length;
    if (tEnd > start && at < end) out.push(t);
    at = tEnd + 1;
  }
  return out;
}

/** The first date in the tokens. */
export function dateIn(tokens: readonly Token[]): FieldValue | null {
  const text = lineText(tokens);
  const date = parseDate(text);
  return date ? found(date.iso, minConfidence(tokensInSpan(tokens, date.start, date.end))) : null;
}

/**
 * The date after a label, or on the next line when the label stands alone. A value that was read
 * but is no date stays missing rather than borrowing the next line's date.
 */
export function dateAfterLabel(rest: readonly Token[], next: TextLine | undefined): FieldValue | null {
  if (rest.some((t) => /\d/.test(t.text))) return dateIn(rest);
  return dateIn(next?.tokens ?? []);
}

/** The first run of digits (after mending letters OCR put for digits), at most `maxDigits` long. */
export function numberIn(tokens: readonly Token[], maxDigits = 8): FieldValue | null {
  for (const t of tokens) {
    const m = /\d+/.exec(mendDigits(t.text.replace(/^№/, '')));
    if (m && m[0].length <= maxDigits) return found(m[0], t.confidence * (/^\d+$/.test(t.text.replace(/^№/, '')) ? 1 : 0.7));
  }
  return null;
}

const TRAILING = /[\s.,;:—–-]+$/;

/** Free text (places, registry offices): the words as read, without trailing punctuation. */
export function textIn(tokens: readonly Token[]): FieldValue | null {
  const kept = [...tokens];
  while (kept.length && /^[—–-]+$/.test(kept[kept.length - 1]!.text)) kept.pop();
  const text = restoreKnownWords(uzbekApostrophes(lineText(kept).replace(TRAILING, '').replace(/^[\s:—–-]+/, '')));
  if (!/\p{L}/u.test(text)) return null;
  return found(text, minConfidence(kept));
}

/**
 * Free text that may run on: the rest of the label's line, joined with the next line when it ends
 * with a comma or hyphen; or the next line alone when the label stands by itself (Russian forms
 * print "Место регистрации" above the office). `stop` lists labels that end the value.
 */
export function textFrom(lines: readonly TextLine[], index: number, tokens: readonly Token[], stop: readonly LabelName[]): FieldValue | null {
  let value = [...tokens];
  const next = lines[index + 1];
  const nextIsLabel = next ? findLabel(next.tokens, stop, 0)?.start === 0 : true;
  if (next && !nextIsLabel) {
    const text = lineText(value).trim();
    if (text === '' || /[,-]$/.test(text)) value = [...value, ...next.tokens];
  }
  return textIn(value);
}

const ROMAN_SLIPS: Record<string, string> = { '1': 'I', l: 'I', '|': 'I', i: 'I', І: 'I', '!': 'I', П: 'II', Ш: 'III', У: 'V', v: 'V' };
const TO_CYRILLIC: Record<string, string> = { A: 'А', B: 'В', C: 'С', E: 'Е', H: 'Н', K: 'К', M: 'М', O: 'О', P: 'Р', T: 'Т', X: 'Х', Y: 'У', '3': 'З', '0': 'О' };
const TO_LATIN: Record<string, string> = { ...Object.fromEntries(Object.entries(TO_CYRILLIC).map(([l, c]) => [c, l])), '0': 'O' };
const ROMAN = /^(I{1,3}|IV|V|VI{1,3}|IX|X)$/;

export interface SeriesHint {
  /** The Roman numeral as read by a Latin-script model, when the page's model has no Latin letters. */
  roman?: string;
}

/**
 * Certificate series and number: `I-XR № 4226843`, `III-ТШ № 909315`. The series is a Roman
 * numeral, a hyphen and two letters. The numeral is mended from what OCR reads for it (1, l, |;
 * П for II, Ш for III), or taken from `hint` when the page's model cannot write Latin letters (the
 * Russian and Uzbek Cyrillic models read "I-" as В, Р, Г…); the two letters are put in the
 * document's script.
 */
export function seriesIn(tokens: readonly Token[], cyrillic: boolean, hint: SeriesHint = {}): { series: FieldValue | null; number: FieldValue | null } {
  const text = lineText(tokens);
  const numberMatch = /(\d[\dOoОоlI|З]{4,9})\s*$|(\d{5,9})/.exec(text.trimEnd());
  let number: FieldValue | null = null;
  let head = text;
  if (numberMatch) {
    const digits = mendDigits(numberMatch[1] ?? numberMatch[2]!).replace(/\D/g, '');
    const numTokens = tokensInSpan(tokens, numberMatch.index, numberMatch.index + numberMatch[0].length);
    number = found(digits, minConfidence(numTokens) * (digits.length >= 6 ? 1 : 0.6));
    head = text.slice(0, numberMatch.index);
  }
  const parts = seriesParts(head);
  if (!parts) return { series: null, number };
  const letters = [...parts.letters.toUpperCase()].map((c) => (cyrillic ? TO_CYRILLIC[c] : TO_LATIN[c]) ?? c).join('');
  const mended = [...parts.roman].map((c) => ROMAN_SLIPS[c] ?? c).join('');
  const confidence = minConfidence(tokensInSpan(tokens, 0, head.length));
  if (ROMAN.test(mended)) return { series: found(`${mended}-${letters}`, confidence), number };
  if (hint.roman && ROMAN.test(hint.roman)) return { series: found(`${hint.roman}-${letters}`, confidence * 0.9), number };
  // Numeral unreadable: keep what was read, for a person to fix.
  return { series: found(`${parts.roman}-${letters}`, confidence * 0.3), number };
}

/**
 * The numeral and the two letters before the number: "I-XR", "1-У3 №", "Ш -ТШ.", or without the
 * hyphen "ВҚД" (numeral misread as a letter). The numero sign as OCR reads it (№, No, Ne, M2) and
 * anything after the letters is dropped.
 */
function seriesParts(head: string): { roman: string; letters: string } | null {
  const compact = head.replace(/\s*[-–—]\s*/g, '-').trim();
  const hyphen = /(\S*?)-([\p{L}03]{2})(?![\p{L}])/u.exec(compact);
  if (hyphen) {
    const before = hyphen[1] || compact.slice(0, hyphen.index).trim().split(/\s+/).pop() || '';
    return { roman: before, letters: hyphen[2]! };
  }
  const glued = /(?:^|\s)(\p{L}{1,2})(\p{L}{2})(?![\p{L}])/u.exec(compact);
  return glued ? { roman: glued[1]!, letters: glued[2]! } : null;
}
