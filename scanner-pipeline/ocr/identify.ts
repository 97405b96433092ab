/**
 * @module
 * Which language a page is in, from a quick read of a few of its lines with the candidate
 * languages ({@link identificationLanguages}): the script (Latin or Cyrillic letters), then, among
 * Cyrillic languages, the letters only Uzbek has (ў қ ғ ҳ) or only Russian has (ы щ) and the
 * commonest words of each. The page is then read once in that single language, which is faster
 * and slightly more accurate than reading it with all of them.
 */
import { fold } from '../extract/text.ts';

export interface LanguageGuess {
  language: string;
  /** 0..1: how clearly the evidence favoured it. */
  confidence: number;
}

const LATIN = /[A-Za-z]/g;
const CYRILLIC = /[\u0400-\u04FF]/g;
const UZBEK_CYRILLIC_LETTERS = /[ўқғҳЎҚҒҲ]/g;
const RUSSIAN_LETTERS = /[ыщЫЩ]/g;

const UZBEK_CYRILLIC_WORDS = new Set([
  'ва', 'йил', 'санаси', 'исми', 'отаси', 'онаси', 'органи', 'бўлими', 'туғилган', 'гувоҳнома',
  'ҳақида', 'фуқаро', 'никоҳ', 'берилган', 'фамилияси', 'жойи', 'рақами', 'ёзуви', 'далолатнома',
  'ўғли', 'қизи', 'шаҳри', 'шаҳар', 'вилояти', 'тумани', 'отасининг', 'ўзбекистон', 'республикаси',
  'такрорий', 'раҳбари', 'фҳдё', 'эри', 'хотини', 'кейинги', 'тузилганлиги',
]);
const RUSSIAN_WORDS = new Set([
  'и', 'в', 'о', 'за', 'года', 'рождения', 'рождении', 'фамилия', 'имя', 'отчество', 'гражданин',
  'гражданка', 'брака', 'свидетельство', 'месяца', 'числа', 'запись', 'место', 'дата', 'выдачи',
  'родители', 'отец', 'мать', 'область', 'район', 'республика', 'союз', 'советских', 'заключении',
  'произведена', 'регистрации', 'записей', 'актов', 'состояния', 'загс', 'серия', 'родился',
  'родилась', 'отдел', 'бюро', 'мужу', 'жене', 'после', 'присвоены', 'фамилии',
]);

/**
 * The languages to read the identification lines with: the candidates, but Uzbek Cyrillic only
 * when Russian is not among them. The Russian model reads Uzbek Cyrillic well enough for its words
 * to show (compared folded), tells Russian by ы and щ, and one model fewer makes the pass cheaper.
 */
export function identificationLanguages(candidates: readonly string[]): string[] {
  return candidates.includes('rus') ? candidates.filter((c) => c !== 'uzb_cyrl') : [...candidates];
}

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

// Compared folded, so that a word read by the Russian model (туғилган → тугилган) still counts.
const UZBEK_FOLDED = new Set([...UZBEK_CYRILLIC_WORDS].map(fold));
const RUSSIAN_FOLDED = new Set([...RUSSIAN_WORDS].map(fold));

/**
 * The best candidate for `text`, or null when the text holds too few letters to tell (a stamp, a
 * signature) or none of the candidates writes in its script.
 */
export function identifyLanguage(text: string, candidates: readonly string[]): LanguageGuess | null {
  if (candidates.length === 1) return { language: candidates[0]!, confidence: 1 };
  const latin = count(text, LATIN);
  const cyrillic = count(text, CYRILLIC);
  if (latin + cyrillic < 12) return null;
  const latinCandidates = candidates.filter((c) => !CYRILLIC_LANGUAGES.has(c));
  const cyrillicCandidates = candidates.filter((c) => CYRILLIC_LANGUAGES.has(c));
  const scriptConfidence = Math.abs(latin - cyrillic) / (latin + cyrillic);
  const pool = latin > cyrillic ? latinCandidates : cyrillicCandidates;
  if (pool.length === 0) return null;
  if (pool.length === 1) return { language: pool[0]!, confidence: scriptConfidence };
  if (latin > cyrillic) return { language: pool.includes('uzb') ? 'uzb' : pool[0]!, confidence: scriptConfidence * 0.5 };
  return chooseCyrillic(text, pool, scriptConfidence);
}

const CYRILLIC_LANGUAGES = new Set(['rus', 'uzb_cyrl', 'ukr', 'bel', 'kaz', 'kir', 'tgk', 'bul', 'srp', 'mkd', 'mon', 'tat', 'bak']);

function chooseCyrillic(text: string, pool: string[], scriptConfidence: number): LanguageGuess {
  const words = text.split(/[^\u0400-\u04FF]+/).filter(Boolean).map(fold);
  const uzbek = 3 * count(text, UZBEK_CYRILLIC_LETTERS) + 2 * words.filter((w) => UZBEK_FOLDED.has(w) && !RUSSIAN_FOLDED.has(w)).length;
  const russian = 3 * count(text, RUSSIAN_LETTERS) + 2 * words.filter((w) => RUSSIAN_FOLDED.has(w) && !UZBEK_FOLDED.has(w)).length;
  const pick = (language: string) => (pool.includes(language) ? language : pool[0]!);
  const confidence = (Math.abs(uzbek - russian) / (uzbek + russian + 2)) * scriptConfidence;
  if (uzbek > russian) return { language: pick('uzb_cyrl'), confidence };
  // Russian on a tie: the Soviet-era archive is mostly Russian, and rus reads Uzbek names too.
  return { language: pick('rus'), confidence };
}
