/**
 * @module
 * How recognised text and extracted fields are judged against ground truth: the rules of
 * corpus-dev's README ("Comparing with the truth") and its score.mjs, written once here for the
 * benchmark and the tests (score.mjs runs on import and exports nothing).
 *
 * Text: Unicode NFC; the Uzbek oʻ/gʻ apostrophe (U+02BB, U+02BC, U+2018, U+2019, backtick, acute,
 * plain `'`) as `'`; en and em dashes as `-`; runs of white space as one space. Character error
 * rate = Levenshtein distance / length of the normalised truth. Fields: the same, lower-cased,
 * without trailing `.,;:`.
 */

export function normaliseText(s: unknown): string {
  return String(s ?? '')
    .normalize('NFC')
    .replace(/[\u02BB\u02BC\u2018\u2019\u0060\u00B4']/g, "'")
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

export function normaliseField(s: unknown): string {
  return normaliseText(s).toLowerCase().replace(/[.,;:]+$/, '');
}

/** Levenshtein distance over UTF-16 code units, two rows of memory. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (!m) return n;
  if (!n) return m;
  let prev = new Uint32Array(n + 1);
  let cur = new Uint32Array(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n]!;
}

/** Errors and truth length of one text, to sum over a corpus before dividing. */
export function characterErrors(recognised: string, truth: string): { errors: number; length: number } {
  const t = normaliseText(truth);
  return { errors: editDistance(normaliseText(recognised), t), length: t.length };
}

/** Every leaf under its dotted path; a `{value, confidence}` leaf counts by its value. */
export function flattenValues(tree: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, node] of Object.entries((tree ?? {}) as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      if ('value' in node) out[path] = (node as { value: unknown }).value;
      else flattenValues(node, path, out);
    } else out[path] = node;
  }
  return out;
}

/** The truth's fields that the extraction got exactly (after {@link normaliseField}), and the misses. */
export function compareFields(truth: unknown, extracted: unknown): { exact: number; total: number; missed: string[] } {
  const want = flattenValues(truth);
  const got = flattenValues(extracted);
  const missed = Object.keys(want).filter((k) => normaliseField(got[k]) !== normaliseField(want[k]));
  return { exact: Object.keys(want).length - missed.length, total: Object.keys(want).length, missed };
}
