/**
 * @module
 * The printed labels of civil-status certificates, by what they introduce, in Russian (Soviet and
 * post-1992 forms), Uzbek in Latin script (1995 alphabet, post-1992 forms) and Uzbek in Cyrillic
 * script (Uzbek SSR forms). Several wordings per label; OCR slips are tolerated by the matcher
 * (`fold`, `closeness`), so only real wording differences are listed.
 *
 * Extraction follows these labels, never positions on the page: real archives hold more form
 * designs than any sample.
 */
import { closeness, fold, type Token } from './text.ts';

export type LabelName =
  | 'familyName' | 'givenName' | 'patronymic' | 'fullName'
  | 'dateOfBirth' | 'placeOfBirth' | 'father' | 'mother' | 'parents'
  | 'recordNumber' | 'registryOffice' | 'issueDate' | 'series'
  | 'husband' | 'wife' | 'bornMale' | 'bornFemale' | 'marriageDate' | 'surnamesAfter'
  | 'settlement' | 'district' | 'region' | 'republic' | 'country' | 'caption';

const LABELS: Record<LabelName, string[]> = {
  familyName: ['Familiyasi', 'Familiya', 'Фамилияси', 'Фамилия', 'Фамилия ребенка'],
  givenName: ['Ismi', 'Ism', 'Исми', 'Имя', 'Имя ребенка'],
  patronymic: ['Otasining ismi', 'Sharifi', 'Отасининг исми', 'Шарифи', 'Отчество', 'Отчество ребенка'],
  fullName: [
    'Familiyasi, ismi, otasining ismi', 'Familiyasi, ismi, sharifi', 'F.I.Sh.',
    'Фамилияси, исми, отасининг исми', 'Фамилия, имя, отчество', 'Ф.И.О.',
  ],
  dateOfBirth: [
    "Tug'ilgan sanasi", "Tug'ilgan sana", "Tug'ilgan vaqti", "Tug'ilgan yili, oyi, kuni",
    'Туғилган санаси', 'Туғилган сана', 'Туғилган вақти', 'Туғилган йили, ойи, куни',
    'Дата рождения', 'Родился(лась)', 'Родился (лась)', 'Родился', 'Родилась', 'Время рождения',
  ],
  placeOfBirth: ["Tug'ilgan joyi", "Tug'ilgan joy", 'Туғилган жойи', 'Туғилган жой', 'Место рождения'],
  father: ['Otasi', 'Ota', 'Отаси', 'Ота', 'Отец'],
  mother: ['Onasi', 'Ona', 'Онаси', 'Она', 'Мать'],
  parents: ['Ota-onasi', 'Ота-онаси', 'Родители'],
  recordNumber: [
    'Dalolatnoma yozuvi raqami', 'Dalolatnoma yozuvi', 'Dalolatnoma raqami',
    'Далолатнома ёзуви рақами', 'Далолатнома ёзуви', 'Далолатнома рақами',
    'Запись акта №', 'Актовая запись №', 'Номер записи акта', 'Запись акта о рождении №',
  ],
  registryOffice: [
    'FHDYO organi', 'FHDYo organi', 'Qayd etilgan joy', "Ro'yxatga olingan joy", "Davlat ro'yxatidan o'tkazilgan joy",
    'ФҲДЁ органи', 'Қайд этилган жой', 'Рўйхатга олинган жой',
    'Место регистрации', 'Место государственной регистрации', 'Наименование органа ЗАГС', 'Орган ЗАГС', 'Регистрирующий орган',
  ],
  issueDate: [
    'Berilgan sana', 'Berilgan sanasi', 'Guvohnoma berilgan sana', 'Berilgan vaqti',
    'Берилган сана', 'Берилган санаси', 'Гувоҳнома берилган сана',
    'Дата выдачи', 'Дата выдачи свидетельства', 'Выдано',
  ],
  series: ['Seriya', 'Серия'],
  husband: ['Fuqaro', 'Kuyov', 'Фуқаро', 'Куёв', 'Гражданин', 'Он', 'Жених'],
  wife: ['va fuqaro', 'Kelin', 'ва фуқаро', 'Келин', 'Гражданка', 'и гражданка', 'Невеста'],
  bornMale: ['родившийся', 'родился'],
  bornFemale: ['родившаяся', 'родилась'],
  marriageDate: [
    'nikoh tuzganliklari haqida', 'Nikoh tuzilgan sana', 'Nikoh qayd etilgan sana',
    'никоҳ тузганликлари ҳақида', 'Никоҳ тузилган сана', 'Никоҳ қайд этилган сана',
    'заключили брак', 'Дата заключения брака', 'Брак заключен', 'вступили в брак',
  ],
  surnamesAfter: [
    'Nikohdan keyingi familiyalari', 'Nikohdan keyin familiyalari', 'Никоҳдан кейинги фамилиялари',
    'После заключения брака присвоены фамилии', 'После заключения брака присвоена фамилия', 'Фамилии после заключения брака',
  ],
  settlement: ['город, селение', 'город, поселок, село', 'город', 'shahar, qishloq', 'шаҳар, қишлоқ'],
  district: ['район', 'tuman', 'туман'],
  region: ['область, край', 'область', 'viloyat', 'вилоят'],
  republic: ['республика', 'respublika', 'республикаси'],
  country: ['страна', 'davlat', 'давлат'],
  caption: [],
};

export interface Label {
  name: LabelName;
  words: string[];
}

const compiled: Label[] = Object.entries(LABELS).flatMap(([name, variants]) =>
  variants.map((v) => ({ name: name as LabelName, words: v.split(/\s+/).map(fold).filter(Boolean) })),
);

export interface LabelMatch {
  name: LabelName;
  /** Index of the first token after the label. */
  end: number;
  /** Label words matched (longer labels win). */
  words: number;
  /** Edits between the tokens and the label, summed. */
  distance: number;
}

/**
 * The label that best matches the tokens from `start` (most label words, then fewest edits),
 * limited to `names` when given. Handles words OCR ran together ("Tug'ilgansanasi").
 */
export function matchLabel(tokens: readonly Token[], start = 0, names?: readonly LabelName[]): LabelMatch | null {
  let best: LabelMatch | null = null;
  for (const label of compiled) {
    if (names && !names.includes(label.name)) continue;
    const m = matchWords(tokens, start, label);
    if (m && (!best || m.words > best.words || (m.words === best.words && m.distance < best.distance))) best = m;
  }
  return best;
}

function matchWords(tokens: readonly Token[], start: number, label: Label): LabelMatch | null {
  let i = start;
  let distance = 0;
  for (let j = 0; j < label.words.length; ) {
    const token = tokens[i];
    if (!token) return null;
    const word = fold(token.text);
    const single = closeness(word, label.words[j]!);
    // Two label words OCR ran together: the token must be about as long as both.
    const both = j + 1 < label.words.length ? label.words[j]! + label.words[j + 1]! : '';
    const joined = both && word.length >= both.length - 1 ? closeness(word, both) : null;
    if (joined !== null && (single === null || joined < single)) {
      distance += joined;
      j += 2;
    } else if (single !== null) {
      distance += single;
      j += 1;
    } else return null;
    i++;
  }
  return { name: label.name, end: i, words: label.words.length, distance };
}

/** The first position at or after `from` where one of `names` starts, and its match. */
export function findLabel(tokens: readonly Token[], names: readonly LabelName[], from = 0): LabelMatch & { start: number } | null {
  for (let start = from; start < tokens.length; start++) {
    const m = matchLabel(tokens, start, names);
    if (m) return { ...m, start };
  }
  return null;
}
