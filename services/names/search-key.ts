/**
 * @module
 * One Latin search form for names written in Cyrillic or Latin, so that "Yusufov", "Юсуфов" and
 * "Ùsufov" meet. Archival documents (scanner-pipeline/archive), the people of registrations
 * (registry_people.search_name) and the queries of both go through the same {@link searchKey}; the
 * key is for matching only and is never shown. Stored keys are folded by the rules of their time:
 * a change here needs them recomputed (`crvs archive reindex`; for registrations, a data migration
 * recomputing registry_people.search_name as 0009 does, and registry_records.birth_identity and
 * birth_identity_pinfl as 0015 does; services/registry/births/duplicates.test.ts pins a known identity).
 *
 * Cyrillic → Latin follows the Uzbek Latin alphabet (Cabinet of Ministers of Uzbekistan, Decree 339
 * of 1995; ў → oʻ, ғ → gʻ, қ → q, ҳ → h, х → x, ж → j, ц → ts), which also covers the Russian letters;
 * ы and щ take their Russian BGN/PCGN values. The key then folds the spellings people actually
 * type for the same sound: Russian-style `kh`, `zh` and `dzh`/`дж`, `q`/`k`, `x`/`h`, and drops the oʻ/gʻ
 * apostrophe in all its forms (ʻ ʼ ‘ ’ ` ').
 *
 * @example
 *   searchKey('Абдулқодир Суҳроб ўғли') === searchKey("Abdulqodir Suhrob o'g'li") // 'abdulkodir suhrob ogli'
 */

const CYRILLIC_TO_LATIN: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'yo', ж: 'j', з: 'z', и: 'i', й: 'y',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f',
  х: 'x', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: "'", ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya',
  ў: "o'", қ: 'q', ғ: "g'", ҳ: 'h',
  // Kazakh/Tajik letters that turn up in Uzbek-Cyrillic typescripts.
  ә: 'a', ө: 'o', ү: 'u', ң: 'ng', һ: 'h', ӣ: 'i', ӯ: 'u', ҷ: 'j', і: 'i', ї: 'yi', є: 'ye',
};

const CYRILLIC_BLOCK = /[\u0400-\u04FF]/;

/** Where е is written `ye` (the 1995 alphabet's rule): at the start of a word, after a vowel, ъ or ь. */
const BEFORE_YE = new Set([...'аеёиоуўэюяыъь']);

/**
 * Cyrillic letters of `text` in Uzbek Latin; other characters unchanged. Case is lowered. The
 * search key folds `ye` to `e`, so the one letter that depends on its place changes no key.
 */
export function cyrillicToLatin(text: string): string {
  const lower = text.normalize('NFC').toLowerCase();
  // Most names are registered in Latin: a text without Cyrillic letters is only lowered (every
  // letter the table maps is in the Cyrillic block), without a string built letter by letter.
  if (!CYRILLIC_BLOCK.test(lower)) return lower;
  let out = '';
  let previous = '';
  for (const ch of lower) {
    out += ch === 'е' && (!/\p{L}/u.test(previous) || BEFORE_YE.has(previous)) ? 'ye' : (CYRILLIC_TO_LATIN[ch] ?? ch);
    previous = ch;
  }
  return out;
}

// Applied in order, after transliteration, to documents and queries alike. Literal folds are
// strings: a name without the letters is passed over by one search, not a regular expression each.
const FOLDS: [RegExp | string, string][] = [
  [/[\u02BB\u02BC\u2018\u2019\u0060\u00B4']/g, ''],
  ['ş', 'sh'],
  ['ç', 'ch'],
  ['ğ', 'g'],
  ['dzh', 'j'],
  // Russian spelling writes the Uzbek j (ж) as дж: Джураев is Jo'rayev.
  ['dj', 'j'],
  ['zh', 'j'],
  ['shch', 'sh'],
  ['kh', 'h'],
  ['x', 'h'],
  ['q', 'k'],
  ['w', 'v'],
  ['ye', 'e'],
];

const ASCII = /^[\x00-\x7F]*$/;

/** The search form of `text`: Latin, lower case, without diacritics or apostrophes, spaces collapsed. */
export function searchKey(text: string): string {
  let key = cyrillicToLatin(text);
  for (const [pattern, replacement] of FOLDS) {
    if (typeof pattern === 'string' && !key.includes(pattern)) continue;
    key = key.replaceAll(pattern, replacement);
  }
  // ASCII has no marks to strip and no dashes to unify.
  if (ASCII.test(key)) return key.replace(/\s+/g, ' ').trim();
  return key
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}
