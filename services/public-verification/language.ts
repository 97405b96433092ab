/**
 * @module
 * Which language the page speaks: `?lang=uz|ru|en` when given (the language switch's links), else
 * the best match of the browser's `Accept-Language` (RFC 9110 §12.5.4, quality values honoured,
 * `uz-Cyrl` and `ru-RU` match by primary subtag), else Uzbek, the state language.
 */
import { LANGUAGES, type Language } from './messages.ts';

export const DEFAULT_LANGUAGE: Language = 'uz';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function chooseLanguage(query: string | undefined, acceptLanguage: string | undefined): Language {
  if (isLanguage(query)) return query;
  let best: { language: Language; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const primary = tag?.trim().toLowerCase().split('-')[0];
    if (!isLanguage(primary)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    // Equal quality: the earlier one wins, as the browser listed it first.
    if (!best || q > best.q) best = { language: primary, q };
  }
  return best?.language ?? DEFAULT_LANGUAGE;
}
