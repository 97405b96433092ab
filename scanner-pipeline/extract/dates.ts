/**
 * @module
 * Dates as certificates print them, to ISO 8601 `YYYY-MM-DD`: numeric (`13.11.1983`, `13 . 11 .
 * 1983` as OCR spaces it), Russian (`22 марта 1991 г.`, `«03» октября 1936 г.`, the act-book
 * phrase `1991 года марта месяца 27 числа`), Uzbek Latin (`2020-yil 17-iyun`) and Uzbek Cyrillic
 * (`1984 йил 9 ноябрь`). Month names in the three languages, in the nominative and the genitive.
 */
import { editDistance } from '../quality/score.ts';

const MONTHS: string[][] = [
  ['январь', 'января', 'январ', 'yanvar'],
  ['февраль', 'февраля', 'феврал', 'fevral'],
  ['март', 'марта', 'mart'],
  ['апрель', 'апреля', 'апрел', 'aprel'],
  ['май', 'мая', 'may'],
  ['июнь', 'июня', 'июн', 'iyun'],
  ['июль', 'июля', 'июл', 'iyul'],
  ['август', 'августа', 'avgust'],
  ['сентябрь', 'сентября', 'сентябр', 'sentabr', 'sentyabr'],
  ['октябрь', 'октября', 'октябр', 'oktabr', 'oktyabr'],
  ['ноябрь', 'ноября', 'ноябр', 'noyabr'],
  ['декабрь', 'декабря', 'декабр', 'dekabr'],
];

/** Month number (1–12) of a month word, tolerating one OCR slip in long names; null if unsure. */
export function monthOf(word: string): number | null {
  const w = word.toLowerCase().replace(/ъ/g, 'ь').replace(/[^a-zа-яё]/g, '');
  if (w.length < 3) return null;
  let best: number | null = null;
  let bestDistance = Infinity;
  let tie = false;
  MONTHS.forEach((forms, index) => {
    for (const form of forms) {
      const d = editDistance(w, form);
      if (d < bestDistance) {
        bestDistance = d;
        best = index + 1;
        tie = false;
      } else if (d === bestDistance && best !== index + 1) tie = true;
    }
  });
  // June and July differ by one letter in Russian (июня/июля): a slip there stays unresolved.
  const allowed = w.length >= 6 ? 1 : 0;
  return bestDistance <= allowed && !tie ? best : null;
}

/** An ISO date when the parts make a real calendar date in a plausible range. */
export function isoDate(year: number, month: number, day: number): string | null {
  if (year < 1850 || year > 2100 || month < 1 || month > 12 || day < 1) return null;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Letters OCR puts for digits inside numbers. */
const DIGIT_SLIPS: Record<string, string> = { O: '0', o: '0', О: '0', о: '0', D: '0', l: '1', I: '1', '|': '1', i: '1', З: '3', з: '3', б: '6', S: '5', B: '8', В: '8' };

/**
 * Mends a token made only of digits, separators and letters OCR reads for digits (`19З6` → `1936`,
 * `2O.11.2OO2` → `20.11.2002`); any other token (`2016-yil`) is left alone.
 */
export function mendDigits(token: string, expectNumber = false): string {
  if ((!expectNumber && !/\d/.test(token)) || !/^[\dOoОоDlI|iЗзбSBВ.,:/«»"'-]+$/.test(token)) return token;
  return [...token].map((c) => DIGIT_SLIPS[c] ?? c).join('');
}

export interface ParsedDate {
  iso: string;
  /** Start and end (exclusive) of the date in the text given. */
  start: number;
  end: number;
}

const NUM = String.raw`(\d{1,2})`;
const YEAR = String.raw`(\d{4})`;
const WORD = String.raw`([A-Za-zА-Яа-яЁёЎўҚқҒғҲҳЪъЬь']{3,})`;
const PATTERNS: Array<{ re: RegExp; order: 'dmy' | 'ymd-word' | 'd-word-y' | 'y-word-d' }> = [
  // 13.11.1983, 13 . 11 . 1983, 05:12:1938, 13/11/1983, 13-11-1983
  { re: new RegExp(String.raw`(?<!\d)${NUM}\s*[.,:/-]\s*${NUM}\s*[.,:/-]\s*${YEAR}(?!\d)`, 'u'), order: 'dmy' },
  // 1984 йил 9 ноябрь, 2020-yil 17-iyun
  { re: new RegExp(String.raw`(?<!\d)${YEAR}\s*-?\s*(?:yil|йил|г\.?|года)?\s*${NUM}\s*-?\s*${WORD}`, 'u'), order: 'ymd-word' },
  // 22 марта 1991 г., «03» октября 1936 г., 17-iyun 2020
  { re: new RegExp(String.raw`(?<!\d)${NUM}\s*[»"']?\s*-?\s*${WORD}\s*${YEAR}(?!\d)`, 'u'), order: 'd-word-y' },
  // 1991 года марта месяца 27 числа (the act-book phrase)
  { re: new RegExp(String.raw`(?<!\d)${YEAR}\s*(?:года|г\.?|yil|йил)?\s*${WORD}\s*(?:месяца|oyining|ойининг)?\s*${NUM}(?!\d)`, 'u'), order: 'y-word-d' },
];

/** The first date in `text` (after mending digit slips), or null. */
export function parseDate(text: string): ParsedDate | null {
  const mended = text.split(/(\s+)/).map((t) => mendDigits(t)).join('');
  let found: ParsedDate | null = null;
  for (const { re, order } of PATTERNS) {
    const m = re.exec(mended);
    if (!m) continue;
    const iso = toIso(m, order);
    if (iso && (!found || m.index < found.start)) found = { iso, start: m.index, end: m.index + m[0].length };
  }
  return found;
}

function toIso(m: RegExpExecArray, order: string): string | null {
  const [, a, b, c] = m as unknown as [string, string, string, string];
  switch (order) {
    case 'dmy':
      return isoDate(Number(c), Number(b), Number(a));
    case 'ymd-word': {
      const month = monthOf(c);
      return month ? isoDate(Number(a), month, Number(b)) : null;
    }
    case 'd-word-y': {
      const month = monthOf(b);
      return month ? isoDate(Number(c), month, Number(a)) : null;
    }
    default: {
      const month = monthOf(b);
      return month ? isoDate(Number(a), month, Number(c)) : null;
    }
  }
}
