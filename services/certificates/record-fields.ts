/**
 * @module
 * From a record version's committed data (the registry's `RegistrationContent`: `registration`
 * {number, office, registeredOn} and `details`, a `BirthDetails` or `MarriageDetails`, see
 * services/registry/registrations.ts and births/ marriages/schema.ts) to what a certificate prints, and
 * to the smaller summary the public page may show: the names and the date that identify the event,
 * which the holder of the certificate already reads on it, and nothing else (no PINFL, no parents'
 * details, no informant).
 *
 * The data is read defensively: it is what was committed, possibly by an older schema, so a
 * missing optional field prints as a dash rather than failing a reprint.
 */
import { LABELS, SEX, formatDate, type Bilingual, type CertificateField, type CertificateSection } from './certificate.ts';

type Data = Record<string, unknown>;

interface Person {
  familyName?: string;
  givenName?: string;
  patronymic?: string;
  sex?: string;
  dateOfBirth?: string;
  citizenship?: string;
  familyNameAfterMarriage?: string;
  placeOfBirth?: { region?: string; district?: string; settlement?: string };
}

const DASH = '—';

function asPerson(value: unknown): Person | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Person) : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' && value.trim() ? value.trim() : DASH;
}

function date(value: unknown): string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? formatDate(value) : DASH;
}

/** "Family Given Patronymic", the order of Uzbek and Russian civil documents. */
export function fullName(person: Person | undefined): string {
  if (!person) return DASH;
  const parts = [person.familyName, person.givenName, person.patronymic].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  return parts.length ? parts.join(' ') : DASH;
}

const REGION_NAMES = { uz: new Intl.DisplayNames(['uz'], { type: 'region' }), ru: new Intl.DisplayNames(['ru'], { type: 'region' }) };

function citizenship(code: unknown): string {
  if (typeof code !== 'string' || !/^[A-Z]{2}$/.test(code)) return DASH;
  return bilingual({ uz: REGION_NAMES.uz.of(code) ?? code, ru: REGION_NAMES.ru.of(code) ?? code });
}

const bilingual = (value: Bilingual): string => (value.uz === value.ru ? value.uz : `${value.uz} / ${value.ru}`);

function place(person: Person | undefined): string {
  const p = person?.placeOfBirth;
  const parts = [p?.settlement, p?.district, p?.region].filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  return parts.length ? parts.join(', ') : DASH;
}

const field = (label: Bilingual, value: string): CertificateField => ({ label, value });

/** The birth or marriage details of the committed data. */
function detailsOf(data: Data): Data {
  const details = data.details;
  return details && typeof details === 'object' && !Array.isArray(details) ? (details as Data) : {};
}

/** The registration as committed: number, office code and day of registration. */
export interface CommittedRegistration {
  number?: string;
  office?: string;
  registeredOn?: string;
}

export function committedRegistration(data: Data): CommittedRegistration {
  const r = data.registration;
  if (!r || typeof r !== 'object') return {};
  const { number, office, registeredOn } = r as Record<string, unknown>;
  return {
    ...(typeof number === 'string' ? { number } : {}),
    ...(typeof office === 'string' ? { office } : {}),
    ...(typeof registeredOn === 'string' ? { registeredOn } : {}),
  };
}

function birthSections(data: Data): CertificateSection[] {
  const child = asPerson(data.child);
  const parent = (person: Person | undefined, heading: Bilingual): CertificateSection => ({
    heading,
    fields: person
      ? [field(LABELS.fullName, fullName(person)), field(LABELS.dateOfBirth, date(person.dateOfBirth)), field(LABELS.citizenship, citizenship(person.citizenship))]
      : [field(LABELS.fullName, `${DASH} (${bilingual(LABELS.notRecorded)})`)],
  });
  const sex = typeof child?.sex === 'string' ? SEX[child.sex] : undefined;
  return [
    {
      heading: LABELS.child,
      fields: [
        field(LABELS.familyName, text(child?.familyName)),
        field(LABELS.givenName, text(child?.givenName)),
        field(LABELS.patronymic, text(child?.patronymic)),
        field(LABELS.sex, sex ? bilingual(sex) : DASH),
        field(LABELS.dateOfBirth, date(child?.dateOfBirth)),
        field(LABELS.placeOfBirth, place(child)),
      ],
    },
    parent(asPerson(data.mother), LABELS.mother),
    parent(asPerson(data.father), LABELS.father),
  ];
}

function spouses(data: Data): (Person | undefined)[] {
  const list = Array.isArray(data.spouses) ? data.spouses : [];
  return [asPerson(list[0]), asPerson(list[1])];
}

function marriageSections(data: Data): CertificateSection[] {
  const [first, second] = spouses(data);
  const spouse = (person: Person | undefined, heading: Bilingual): CertificateSection => ({
    heading,
    fields: [
      field(LABELS.fullName, fullName(person)),
      field(LABELS.dateOfBirth, date(person?.dateOfBirth)),
      field(LABELS.citizenship, citizenship(person?.citizenship)),
      field(LABELS.familyNameAfter, text(person?.familyNameAfterMarriage)),
    ],
  });
  return [
    { heading: LABELS.marriage, fields: [field(LABELS.marriageDate, date(data.dateOfMarriage))] },
    spouse(first, LABELS.spouse1),
    spouse(second, LABELS.spouse2),
  ];
}

/** The printed sections of a birth or marriage certificate. */
export function certificateSections(kind: string, data: Data): CertificateSection[] {
  if (kind === 'birth') return birthSections(detailsOf(data));
  if (kind === 'marriage') return marriageSections(detailsOf(data));
  return [];
}

/** What identifies the event on the public page: the people's names and the event's date. */
export interface PublicSummary {
  kind: 'birth' | 'marriage';
  /** The child, or the two spouses (with the surname after the marriage where it differs). */
  people: string[];
  /** Date of birth or of marriage, DD.MM.YYYY. */
  date: string;
}

export function publicSummary(kind: string, committed: Data): PublicSummary | undefined {
  const data = detailsOf(committed);
  if (kind === 'birth') {
    const child = asPerson(data.child);
    return { kind, people: [fullName(child)], date: date(child?.dateOfBirth) };
  }
  if (kind === 'marriage') {
    const people = spouses(data).map((s) => {
      const after = s?.familyNameAfterMarriage;
      return after && after !== s?.familyName ? `${fullName(s)} → ${after}` : fullName(s);
    });
    return { kind, people, date: date(data.dateOfMarriage) };
  }
  return undefined;
}
