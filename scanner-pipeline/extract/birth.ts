/**
 * @module
 * Fields of a birth certificate (Russian Soviet "Свидетельство о рождении", Uzbek "Tugʻilganlik
 * haqida guvohnoma" in Latin or Cyrillic script), with the ground truth's field names.
 */
import { actBookRecord, ANY_LABEL, commonFields, lineLabel } from './common.ts';
import type { LabelName } from './labels.ts';
import { pickName, pickPatronymic, pickPersonName, type PersonName, type Picked } from './names.ts';
import { lineText, type TextLine, type Token } from './text.ts';
import { dateAfterLabel, dateIn, found, missing, numberIn, textFrom, textIn, type FieldValue, type SeriesHint } from './values.ts';

const BIRTH_LABELS: LabelName[] = [
  'familyName', 'givenName', 'patronymic', 'fullName', 'dateOfBirth', 'placeOfBirth', 'father', 'mother', 'recordNumber',
];

export type BirthFields = {
  child: { familyName: FieldValue; givenName: FieldValue; patronymic: FieldValue };
  dateOfBirth: FieldValue;
  placeOfBirth: FieldValue;
  father: { familyName: FieldValue; givenName: FieldValue; patronymic: FieldValue };
  mother: { familyName: FieldValue; givenName: FieldValue; patronymic: FieldValue };
  recordNumber: FieldValue;
  recordDate: FieldValue;
  registryOffice: FieldValue;
  issueDate: FieldValue;
  certificateSeries: FieldValue;
  certificateNumber: FieldValue;
};

const fromPicked = (p: Picked | null): FieldValue => (p ? found(p.value, p.confidence) : missing());
const person = (p: PersonName) => ({ familyName: fromPicked(p.familyName), givenName: fromPicked(p.givenName), patronymic: fromPicked(p.patronymic) });

export function extractBirth(lines: readonly TextLine[], cyrillic: boolean, hint: SeriesHint = {}): BirthFields {
  const child: Partial<Record<'familyName' | 'givenName' | 'patronymic', Picked | null>> = {};
  let dateOfBirth: FieldValue | null = null;
  let placeOfBirth: FieldValue | null = null;
  let father: PersonName | null = null;
  let mother: PersonName | null = null;
  let recordNumber: FieldValue | null = null;
  let recordDate: FieldValue | null = null;
  lines.forEach((line, i) => {
    const label = lineLabel(line, BIRTH_LABELS);
    if (!label) return;
    const rest = line.tokens.slice(label.end);
    switch (label.name) {
      case 'familyName': child.familyName ??= pickName(rest); break;
      case 'givenName': child.givenName ??= pickName(rest); break;
      case 'patronymic': child.patronymic ??= pickPatronymic(rest); break;
      case 'fullName': {
        const p = pickPersonName(rest);
        child.familyName ??= p.familyName;
        child.givenName ??= p.givenName;
        child.patronymic ??= p.patronymic;
        break;
      }
      case 'dateOfBirth': dateOfBirth ??= dateAfterLabel(rest, lines[i + 1]); break;
      case 'placeOfBirth': placeOfBirth ??= placeFrom(lines, i, rest); break;
      case 'father': father ??= pickPersonName(rest); break;
      case 'mother': mother ??= pickPersonName(rest); break;
      case 'recordNumber': {
        recordNumber ??= numberIn(rest, 7);
        recordDate ??= dateAfterNumber(rest);
        break;
      }
    }
  });
  const book = actBookRecord(lines);
  const common = commonFields(lines, cyrillic, hint);
  const none = { familyName: null, givenName: null, patronymic: null };
  return {
    child: person({ ...none, ...child } as PersonName),
    dateOfBirth: dateOfBirth ?? missing(),
    placeOfBirth: placeOfBirth ?? missing(),
    father: person(father ?? none),
    mother: person(mother ?? none),
    recordNumber: recordNumber ?? book.number ?? missing(),
    recordDate: recordDate ?? book.date ?? missing(),
    registryOffice: common.registryOffice ?? missing(),
    issueDate: common.issueDate ?? missing(),
    certificateSeries: common.certificateSeries ?? missing(),
    certificateNumber: common.certificateNumber ?? missing(),
  };
}

/** "… raqami 1461 sanasi 26.09.1936": the date after the record number. */
function dateAfterNumber(tokens: readonly Token[]): FieldValue | null {
  const numberAt = tokens.findIndex((t) => /\d/.test(t.text));
  return numberAt < 0 ? null : dateIn(tokens.slice(numberAt + 1));
}

const PLACE_PARTS: LabelName[] = ['settlement', 'district', 'region', 'republic', 'country'];

/**
 * The place of birth: the rest of the line (running on after a trailing comma), or, on Soviet
 * forms, the lines below it labelled город/селение, район, область/край, республика, composed as
 * the registry writes it: "кишлак Карасу, Джалакудукский район, Андижанская область, Узбекская ССР".
 */
function placeFrom(lines: readonly TextLine[], index: number, rest: Token[]): FieldValue | null {
  if (lineText(rest).replace(/[:\s]/g, '') !== '') return textFrom(lines, index, rest, ANY_LABEL);
  const parts: FieldValue[] = [];
  for (let i = index + 1; i < Math.min(lines.length, index + 7); i++) {
    const label = lineLabel(lines[i]!, PLACE_PARTS);
    if (!label) break;
    const value = textIn(lines[i]!.tokens.slice(label.end));
    if (!value?.value || /^[—–-]+$/.test(value.value)) continue;
    parts.push({ value: placePart(label.name, value.value), confidence: value.confidence });
  }
  if (parts.length === 0) return textFrom(lines, index, rest, ANY_LABEL);
  return found(parts.map((p) => p.value).join(', '), Math.min(...parts.map((p) => p.confidence)));
}

function placePart(name: LabelName, value: string): string {
  const lower = value.toLowerCase();
  if (name === 'settlement') return value.replace(/^(гор\.|г\.)\s*/i, 'город ');
  if (name === 'district' && /[а-яё]/i.test(value) && !lower.includes('район')) return `${value} район`;
  if (name === 'region' && /[а-яё]/i.test(value) && !/област|край|обл\./.test(lower)) {
    // The adjective's gender names the unit: Джизакская область, Алтайский край.
    return /(ий|ый|ой)$/.test(lower) ? `${value} край` : `${value} область`;
  }
  return value;
}
