/**
 * @module
 * The people of a record as the registry indexes them: for search (by name, date of birth) and for
 * the marriage rules (the same person is the same PINFL, or the same name and date of birth).
 *
 * A person's identity name is in Uzbek Latin and normalised the way places are (case, spaces,
 * apostrophe variants), so "O‘g‘iloy", "o'g'iloy" and "Ўғилой" are one name to the marriage rules
 * (migration 0011 recomputed the stored ones). The search name is the archive's
 * cross-script search key, so that a name registered in Uzbek Cyrillic ("Жўраев") is found by its
 * Latin spelling ("Jo'rayev") and the other way round, as archival documents are.
 */
import { cyrillicToLatin, searchKey } from '../../names/search-key.ts';
import { normaliseName } from '../places/places.ts';
import type { BirthDetails } from '../births/schema.ts';
import type { MarriageDetails } from '../marriages/schema.ts';

export type PersonRole = 'child' | 'mother' | 'father' | 'spouse1' | 'spouse2';

export interface IndexedPerson {
  role: PersonRole;
  searchName: string;
  identityName: string;
  identityNameAfter: string | null;
  dateOfBirth: string;
  pinfl: string | null;
}

interface Named {
  familyName: string;
  givenName: string;
  patronymic?: string | undefined;
}

/**
 * A person's name as the marriage rules compare it: in Uzbek Latin whichever script it was written
 * in (Cyrillic letters transliterated as the 1995 alphabet writes them, ў → o', ғ → g'), then
 * normalised. Exact, unlike the search key: "Qodirov" and "Kodirov" stay two names.
 */
export const personName = (familyName: string, givenName: string): string => normaliseName(cyrillicToLatin(`${familyName} ${givenName}`));
export const identityName = (p: Named): string => personName(p.familyName, p.givenName);
export const searchName = (p: Named): string => searchKey([p.familyName, p.givenName, p.patronymic ?? ''].join(' '));

function person(role: PersonRole, p: Named & { dateOfBirth: string; pinfl?: string | undefined }, after?: string): IndexedPerson {
  return {
    role,
    searchName: searchName(p),
    identityName: identityName(p),
    identityNameAfter: after === undefined ? null : personName(after, p.givenName),
    dateOfBirth: p.dateOfBirth,
    pinfl: p.pinfl ?? null,
  };
}

export function birthPeople(d: BirthDetails): IndexedPerson[] {
  const out = [person('child', d.child), person('mother', d.mother)];
  if (d.father) out.push(person('father', d.father));
  return out;
}

export function marriagePeople(d: MarriageDetails): IndexedPerson[] {
  return d.spouses.map((s, i) => person(i === 0 ? 'spouse1' : 'spouse2', s, s.familyNameAfterMarriage));
}

/**
 * What makes two birth registrations one birth, as two keys, each held by one registration under a
 * unique index (migrations 0010 and 0015); a registration repeats a birth when either of its keys
 * is held already:
 * - `byNames`: the child's family and given names and date of birth, and the mother's. Always
 *   there, so that a birth registered once with the mother's PINFL and once without is one birth.
 * - `byPinfl`: the child the same way and the mother's PINFL, where it is known, so that a mother
 *   whose name was written otherwise (another family name since) is still the same mother.
 * Names in their search form: the same child registered again in the other script, or with the
 * apostrophes typed otherwise, is the same birth. Two mothers of one name and birthday whose PINFLs
 * differ are two mothers: the later birth keeps no `byNames` key (registered-once.ts,
 * `judgeBirth`). A correction moves the record's keys with it. Stored keys are computed by this
 * function: a change to it (or to searchKey) needs them recomputed, as migration 0015 computed them.
 */
export interface BirthIdentity {
  /** Null only as stored: the birth of a namesake mother, or a repeat stored before the key's index. */
  byNames: string | null;
  byPinfl: string | null;
  /** Not stored as a key: tells namesake mothers apart. */
  motherPinfl: string | null;
}

export function birthIdentity(d: Pick<BirthDetails, 'child' | 'mother'>): BirthIdentity {
  const person = (p: Named & { dateOfBirth: string }) => `${searchKey(`${p.familyName} ${p.givenName}`)}|${p.dateOfBirth}`;
  const child = person(d.child);
  const pinfl = d.mother.pinfl ?? null;
  return { byNames: `${child}|${person(d.mother)}`, byPinfl: pinfl ? `${child}|pinfl:${pinfl}` : null, motherPinfl: pinfl };
}
