/**
 * @module
 * Personal names as certificates write them: family name, given name, and the patronymic either
 * Russian-style in one word (Лутфиевич, Bekmurodovich) or Uzbek-style as the father's name and
 * "son of"/"daughter of" (Yorqin oʻgʻli, Носир қизи). Uzbek Latin apostrophes come out in the
 * official letters: ʻ (U+02BB) in oʻ and gʻ, ʼ (U+02BC) for the tutuq belgisi.
 */
import { fold, type Token } from './text.ts';

export interface Picked {
  value: string;
  confidence: number;
  /** Index of the first token not used. */
  next: number;
}

const NAME = /^[\p{L}][\p{L}'ʻʼ‘’`-]*$/u;

/** A token stripped of surrounding punctuation, or null when it is not a name-like word. */
export function nameText(token: Token | undefined): string | null {
  if (!token) return null;
  const text = token.text.replace(/^[^\p{L}]+|[^\p{L}'ʻʼ‘’`]+$/gu, '');
  return text.length >= 2 && NAME.test(text) ? text : null;
}

/** Capitalised like a name; OCR often lowers or raises a whole word, which costs confidence. */
const nameShape = (s: string) => (/^\p{Lu}\p{Ll}/u.test(s) ? 1 : 0.85);

/** The first name-like word at or after `from`. */
export function pickName(tokens: readonly Token[], from = 0): Picked | null {
  for (let i = from; i < tokens.length; i++) {
    const text = nameText(tokens[i]);
    if (text) return { value: uzbekApostrophes(text), confidence: tokens[i]!.confidence * nameShape(text), next: i + 1 };
    if (/\d/.test(tokens[i]!.text)) return null;
  }
  return null;
}

type Kin = 'son' | 'daughter';
const KIN: Array<[string, Kin]> = [["o'g'li", 'son'], ['ўғли', 'son'], ['qizi', 'daughter'], ['қизи', 'daughter']];
const KIN_FOLDED = KIN.map(([w, k]) => [fold(w), k] as const);
const KIN_WORD: Record<Kin, { latin: string; cyrillic: string }> = {
  son: { latin: 'oʻgʻli', cyrillic: 'ўғли' },
  daughter: { latin: 'qizi', cyrillic: 'қизи' },
};

function kinOf(word: string): Kin | null {
  const f = fold(word);
  for (const [form, kin] of KIN_FOLDED) if (f === form || (f.length >= 3 && f.length <= 5 && editWithin1(f, form))) return kin;
  return null;
}

function editWithin1(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { i++; j++; continue; }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else { i++; j++; }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

const isCyrillic = (s: string) => /[\u0400-\u04FF]/.test(s);

/**
 * A patronymic from `from`: `<father's name> oʻgʻli|qizi` (also run together, `Yorqino'gli`), or
 * one Russian-style word.
 */
export function pickPatronymic(tokens: readonly Token[], from = 0): Picked | null {
  const first = pickName(tokens, from);
  if (!first) return null;
  const kinToken = tokens[first.next];
  const kin = kinToken ? kinOf(kinToken.text) : null;
  if (kin) {
    const word = KIN_WORD[kin][isCyrillic(first.value) ? 'cyrillic' : 'latin'];
    return { value: `${first.value} ${word}`, confidence: Math.min(first.confidence, kinToken!.confidence), next: first.next + 1 };
  }
  const joined = splitJoinedKin(first.value);
  if (joined) return { ...first, value: joined };
  return first;
}

function splitJoinedKin(word: string): string | null {
  for (const [form, kin] of KIN) {
    const f = fold(form);
    const w = fold(word);
    if (w.length > f.length + 2 && w.endsWith(f)) {
      // Cut the word where the folded suffix begins: count letters from the end of the original.
      const letters = [...word];
      let kept = letters.length;
      for (let seen = 0; seen < f.length && kept > 0; ) if (fold(letters[--kept]!) !== '') seen++;
      const stem = letters.slice(0, kept).join('');
      return `${stem} ${KIN_WORD[kin][isCyrillic(stem) ? 'cyrillic' : 'latin']}`;
    }
  }
  return null;
}

export interface PersonName {
  familyName: Picked | null;
  givenName: Picked | null;
  patronymic: Picked | null;
}

/** Family name, given name, patronymic, in the order every form here prints them. */
export function pickPersonName(tokens: readonly Token[], from = 0): PersonName {
  const familyName = pickName(tokens, from);
  const givenName = familyName ? pickName(tokens, familyName.next) : null;
  const patronymic = givenName ? pickPatronymic(tokens, givenName.next) : null;
  return { familyName, givenName, patronymic };
}

/** Uzbek Latin apostrophes in their official letters; other scripts untouched. */
export function uzbekApostrophes(s: string): string {
  if (isCyrillic(s)) return s;
  return s.replace(/([OoGg])['ʻʼ‘’`´]/g, '$1ʻ').replace(/([A-Za-z])['‘’`´](?=[A-Za-z])/g, '$1ʼ');
}
