/**
 * @module
 * What a certificate says, independent of how it is drawn: the title, the registration, and the
 * fields of the record version in sections, each labelled in Uzbek (Latin) and Russian, the two
 * languages of civil status documents in Uzbekistan. Labels follow the printed forms of the
 * registry offices (FHDYo / ЗАГС).
 */
import type { Hex } from '../ledger/core.ts';

export interface Bilingual {
  uz: string;
  ru: string;
}

export type CertificateKind = 'birth' | 'marriage';

export interface CertificateField {
  label: Bilingual;
  value: string;
}

export interface CertificateSection {
  heading?: Bilingual;
  fields: CertificateField[];
}

export interface Certificate {
  kind: CertificateKind;
  recordId: string;
  version: number;
  commitment: Hex;
  registrationNumber: string;
  /** Day of registration (YYYY-MM-DD or a Date). */
  registeredOn: string | Date;
  /** The registering office's name, as the registry keeps it. */
  office: string;
  issuedAt: Date;
  sections: CertificateSection[];
  verificationUrl: string;
}

export const CERTIFICATE_TITLES: Record<CertificateKind, Bilingual> = {
  birth: { uz: 'TUGʻILGANLIK HAQIDA GUVOHNOMA', ru: 'СВИДЕТЕЛЬСТВО О РОЖДЕНИИ' },
  marriage: { uz: 'NIKOH TUZILGANLIGI HAQIDA GUVOHNOMA', ru: 'СВИДЕТЕЛЬСТВО О ЗАКЛЮЧЕНИИ БРАКА' },
};

export const LABELS = {
  registrationNumber: { uz: 'Qayd yozuvi raqami', ru: 'Номер актовой записи' },
  registeredOn: { uz: 'Qayd etilgan sana', ru: 'Дата регистрации' },
  office: { uz: 'Qayd etgan organ', ru: 'Орган регистрации' },
  issuedOn: { uz: 'Berilgan sana', ru: 'Дата выдачи' },
  recordVersion: { uz: 'Yozuv versiyasi', ru: 'Версия записи' },
  verify: { uz: 'Haqiqiyligini tekshiring', ru: 'Проверьте подлинность' },
  familyName: { uz: 'Familiyasi', ru: 'Фамилия' },
  givenName: { uz: 'Ismi', ru: 'Имя' },
  patronymic: { uz: 'Otasining ismi', ru: 'Отчество' },
  sex: { uz: 'Jinsi', ru: 'Пол' },
  dateOfBirth: { uz: 'Tugʻilgan sanasi', ru: 'Дата рождения' },
  placeOfBirth: { uz: 'Tugʻilgan joyi', ru: 'Место рождения' },
  citizenship: { uz: 'Fuqaroligi', ru: 'Гражданство' },
  fullName: { uz: 'Familiyasi, ismi, otasining ismi', ru: 'Фамилия, имя, отчество' },
  marriageDate: { uz: 'Nikoh tuzilgan sana', ru: 'Дата заключения брака' },
  familyNameAfter: { uz: 'Nikohdan keyingi familiyasi', ru: 'Фамилия после заключения брака' },
  child: { uz: 'Bola', ru: 'Ребёнок' },
  mother: { uz: 'Onasi', ru: 'Мать' },
  father: { uz: 'Otasi', ru: 'Отец' },
  spouse1: { uz: 'Birinchi turmush oʻrtogʻi', ru: 'Первый супруг' },
  spouse2: { uz: 'Ikkinchi turmush oʻrtogʻi', ru: 'Второй супруг' },
  marriage: { uz: 'Nikoh', ru: 'Брак' },
  notRecorded: { uz: 'qayd etilmagan', ru: 'не указан' },
} as const satisfies Record<string, Bilingual>;

export const SEX: Record<string, Bilingual> = {
  male: { uz: 'erkak', ru: 'мужской' },
  female: { uz: 'ayol', ru: 'женский' },
};

// Uzbekistan has one time zone (UTC+5, no daylight saving): a certificate issued at 01:00 local
// time carries that local day, not the previous UTC one.
const TASHKENT_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tashkent', year: 'numeric', month: '2-digit', day: '2-digit' });

/** YYYY-MM-DD: a date string as given, a moment as its calendar day in Tashkent. */
export function isoDay(value: string | Date): string {
  return typeof value === 'string' ? value.slice(0, 10) : TASHKENT_DAY.format(value);
}

/** DD.MM.YYYY, as dates are written on Uzbek and Russian documents. */
export function formatDate(value: string | Date): string {
  const [y, m, d] = isoDay(value).split('-');
  return `${d}.${m}.${y}`;
}
