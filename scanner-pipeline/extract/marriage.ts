/**
 * @module
 * Fields of a marriage certificate (Russian "Свидетельство о заключении брака", Uzbek "Nikoh
 * tuzilganligi haqida guvohnoma" in Latin or Cyrillic script), with the ground truth's field names.
 *
 * The spouses come in the order the form prints them, each introduced by its own label (Гражданин /
 * гражданка, Fuqaro / va fuqaro, Kuyov / Kelin); a birth date belongs to the spouse named last.
 */
import { actBookRecord, commonFields, lineLabel, recordNumberInSentence } from './common.ts';
import type { LabelName } from './labels.ts';
import { pickName, pickPersonName, type PersonName, type Picked } from './names.ts';
import type { TextLine, Token } from './text.ts';
import { dateAfterLabel, dateIn, found, missing, type FieldValue, type SeriesHint } from './values.ts';

const MARRIAGE_LABELS: LabelName[] = ['husband', 'wife', 'bornMale', 'bornFemale', 'dateOfBirth', 'marriageDate', 'surnamesAfter'];

type Spouse = 'husband' | 'wife';

type SpouseFields = {
  familyName: FieldValue;
  givenName: FieldValue;
  patronymic: FieldValue;
  dateOfBirth: FieldValue;
};

export type MarriageFields = {
  husband: SpouseFields;
  wife: SpouseFields;
  marriageDate: FieldValue;
  recordNumber: FieldValue;
  surnamesAfterMarriage: { husband: FieldValue; wife: FieldValue };
  registryOffice: FieldValue;
  issueDate: FieldValue;
  certificateSeries: FieldValue;
  certificateNumber: FieldValue;
};

const fromPicked = (p: Picked | null | undefined): FieldValue => (p ? found(p.value, p.confidence) : missing());

export function extractMarriage(lines: readonly TextLine[], cyrillic: boolean, hint: SeriesHint = {}): MarriageFields {
  const names: Partial<Record<Spouse, PersonName>> = {};
  const born: Partial<Record<Spouse, FieldValue | null>> = {};
  let current: Spouse | null = null;
  let marriageDate: FieldValue | null = null;
  let surnames: { husband: FieldValue | null; wife: FieldValue | null } | null = null;
  lines.forEach((line, i) => {
    const label = lineLabel(line, MARRIAGE_LABELS);
    if (!label) return;
    const rest = line.tokens.slice(label.end);
    switch (label.name) {
      case 'husband':
      case 'wife': {
        // The same word introduces both spouses on Uzbek forms ("Fuqaro … va fuqaro …").
        const spouse: Spouse = label.name === 'husband' && names.husband ? 'wife' : label.name;
        names[spouse] ??= pickPersonName(rest);
        current = spouse;
        born[spouse] ??= dateIn(rest);
        break;
      }
      case 'bornMale': born.husband ??= dateAfterLabel(rest, lines[i + 1]); break;
      case 'bornFemale': born.wife ??= dateAfterLabel(rest, lines[i + 1]); break;
      case 'dateOfBirth': if (current) born[current] ??= dateAfterLabel(rest, lines[i + 1]); break;
      case 'marriageDate': marriageDate ??= dateAfterLabel(rest, lines[i + 1]); break;
      case 'surnamesAfter': surnames ??= surnamesFrom(rest.length > 1 ? rest : lines[i + 1]?.tokens ?? []); break;
    }
  });
  surnames ??= surnamesAnywhere(lines);
  const book = actBookRecord(lines);
  const common = commonFields(lines, cyrillic, hint);
  const spouse = (s: Spouse): SpouseFields => ({
    familyName: fromPicked(names[s]?.familyName),
    givenName: fromPicked(names[s]?.givenName),
    patronymic: fromPicked(names[s]?.patronymic),
    dateOfBirth: born[s] ?? missing(),
  });
  return {
    husband: spouse('husband'),
    wife: spouse('wife'),
    // Soviet forms may print the date only in the act-book sentence, the day the record was made.
    marriageDate: marriageDate ?? book.date ?? missing(),
    recordNumber: recordNumberInSentence(lines) ?? book.number ?? missing(),
    surnamesAfterMarriage: { husband: surnames?.husband ?? missing(), wife: surnames?.wife ?? missing() },
    registryOffice: common.registryOffice ?? missing(),
    issueDate: common.issueDate ?? missing(),
    certificateSeries: common.certificateSeries ?? missing(),
    certificateNumber: common.certificateNumber ?? missing(),
  };
}

const HUSBAND_SURNAME = ['eri', 'er', 'эри', 'эр', 'мужу', 'муж'];
const WIFE_SURNAME = ['xotini', 'xotin', 'хотини', 'хотин', 'жене', 'жена'];

/** "eri Umarov xotini Narimonova", "мужу Саттаров жене Саттарова" (also on two lines). */
function surnamesFrom(tokens: readonly Token[]): { husband: FieldValue | null; wife: FieldValue | null } {
  const lower = tokens.map((t) => t.text.toLowerCase().replace(/[:,—–-]+$/, ''));
  const h = lower.findIndex((w) => HUSBAND_SURNAME.includes(w));
  const w = lower.findIndex((x) => WIFE_SURNAME.includes(x));
  return {
    husband: h >= 0 ? fromPicked(pickName(tokens.slice(0, w > h ? w : undefined), h + 1)) : null,
    wife: w >= 0 ? fromPicked(pickName(tokens, w + 1)) : null,
  };
}

function surnamesAnywhere(lines: readonly TextLine[]): { husband: FieldValue | null; wife: FieldValue | null } | null {
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!.tokens[0]?.text.toLowerCase().replace(/[:,—–-]+$/, '') ?? '';
    if (!HUSBAND_SURNAME.includes(first) || first === 'er' || first === 'эр') continue;
    const joined = [...lines[i]!.tokens, ...(lines[i + 1]?.tokens ?? [])];
    const found = surnamesFrom(joined);
    if (found.husband) return found;
  }
  return null;
}
