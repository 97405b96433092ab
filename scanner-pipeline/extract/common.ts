/**
 * @module
 * What birth and marriage certificates share: labelled lines, the registry office, the issue date,
 * the certificate series and number, and the act-book sentence of Soviet forms ("о чём в книге …
 * 1991 года марта месяца 27 числа произведена запись за № 163").
 */
import { findLabel, matchLabel, type LabelMatch, type LabelName } from './labels.ts';
import { lineText, minConfidence, type TextLine, type Token } from './text.ts';
import { dateAfterLabel, dateIn, found, numberIn, seriesIn, textFrom, tokensInSpan, type FieldValue, type SeriesHint } from './values.ts';
import { mendDigits, parseDate } from './dates.ts';

/** The label a line starts with (after a stray leading mark), among `names`. */
export function lineLabel(line: TextLine, names: readonly LabelName[]): LabelMatch | null {
  if (line.tokens[0]?.text.startsWith('(')) return null; // captions under a value: "(фамилия, имя, отчество)"
  return matchLabel(line.tokens, 0, names) ?? (line.tokens.length > 2 && line.tokens[0]!.text.length === 1 ? matchLabel(line.tokens, 1, names) : null);
}

export interface CommonFields {
  registryOffice: FieldValue | null;
  issueDate: FieldValue | null;
  certificateSeries: FieldValue | null;
  certificateNumber: FieldValue | null;
}

/** Labels that start a new item: a value that runs on stops at any of them. */
export const ANY_LABEL: LabelName[] = [
  'familyName', 'givenName', 'patronymic', 'fullName', 'dateOfBirth', 'placeOfBirth', 'father', 'mother', 'parents',
  'recordNumber', 'registryOffice', 'issueDate', 'series', 'husband', 'wife', 'bornMale', 'bornFemale', 'marriageDate',
  'surnamesAfter', 'settlement', 'district', 'region', 'republic',
];

/** Office, issue date, series and number, wherever their labels are. */
export function commonFields(lines: readonly TextLine[], cyrillic: boolean, hint: SeriesHint = {}): CommonFields {
  const out: CommonFields = { registryOffice: null, issueDate: null, certificateSeries: null, certificateNumber: null };
  lines.forEach((line, i) => {
    const label = lineLabel(line, ['registryOffice', 'issueDate']);
    const rest = label ? line.tokens.slice(label.end) : [];
    if (label?.name === 'registryOffice' && !out.registryOffice) out.registryOffice = textFrom(lines, i, rest, ANY_LABEL);
    if (label?.name === 'issueDate' && !out.issueDate) out.issueDate = dateAfterLabel(rest, lines[i + 1]);
    const series = seriesTokens(line);
    if (series && !out.certificateNumber) {
      const s = seriesIn(series, cyrillic, hint);
      out.certificateSeries = s.series;
      out.certificateNumber = s.number;
    }
  });
  return out;
}

/** The tokens after "Серия"/"Seriya", also when OCR glued the label to the series (`Серия-ВҚД`). */
function seriesTokens(line: TextLine): Token[] | null {
  const at = findLabel(line.tokens, ['series']);
  if (at) return line.tokens.slice(at.end);
  for (let i = 0; i < line.tokens.length; i++) {
    const t = line.tokens[i]!;
    const m = /^(seriya|серия)[-:.]?(.+)$/i.exec(t.text);
    if (m) return [{ text: m[2]!, confidence: t.confidence }, ...line.tokens.slice(i + 1)];
  }
  return null;
}

/**
 * The act-book sentence of Soviet forms: the record's date (year, month word, day) and number.
 * Read across line breaks, since the sentence wraps.
 */
export function actBookRecord(lines: readonly TextLine[]): { date: FieldValue | null; number: FieldValue | null } {
  const tokens = lines.flatMap((l) => l.tokens);
  const text = lineText(tokens);
  const lower = text.toLowerCase();
  const book = lower.search(/в\s+книге|kitobida|китобида/);
  if (book < 0) return { date: null, number: null };
  const sentence = text.slice(book, book + 240);
  // The day may be read as a letter (З for 3): it stands where a number must be, so it is mended.
  const dateMatch = /(\d{4})\s*\.?\s*(?:года|г\.?|yil|йил)?\s+([\p{L}]{3,})\s+(?:месяца|oyining|ойининг)\s+([\dЗзОоOolI|б]{1,2})(?!\p{L})/u.exec(sentence);
  let date: FieldValue | null = null;
  if (dateMatch) {
    const parsed = parseDate(`${dateMatch[1]} ${dateMatch[2]} ${mendDigits(dateMatch[3]!, true)}`);
    const span = tokensInSpan(tokens, book + dateMatch.index, book + dateMatch.index + dateMatch[0].length);
    if (parsed) date = found(parsed.iso, minConfidence(span));
  }
  // "запись за № 163": whatever OCR made of the numero sign (№, N°, ®, nothing) before the digits.
  const numberMatch = /(?:запись|записи|yozuv|ёзув)\S*(?:\s+за)?[^\d\p{L}]{0,6}(\d[\dЗOО]{0,6})(?!\d)/iu.exec(sentence);
  let number: FieldValue | null = null;
  if (numberMatch) {
    const start = book + numberMatch.index + numberMatch[0].length - numberMatch[1]!.length;
    number = numberIn(tokensInSpan(tokens, start, start + numberMatch[1]!.length), 7);
  }
  return { date, number };
}

/** A record number after "№" anywhere in a line that mentions the act record ("dalolatnoma yozuvi № 86"). */
export function recordNumberInSentence(lines: readonly TextLine[]): FieldValue | null {
  for (const line of lines) {
    const text = lineText(line.tokens);
    const m = /(?:yozuvi|ёзуви|запись|записи)(?:\s+за)?\s*(?:№|N[oeº°]?\b|No\.?|[^\d\p{L}\s]{1,2})\s*(\d{1,7})(?!\d)/iu.exec(text);
    if (m) {
      const start = m.index + m[0].length - m[1]!.length;
      return numberIn(tokensInSpan(line.tokens, start, start + m[1]!.length), 7);
    }
  }
  return null;
}
