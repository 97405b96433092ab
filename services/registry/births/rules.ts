/**
 * @module
 * What a birth registration must satisfy beyond its shape. Impossible data is refused: a place of
 * birth outside the registering office's region (or a district that is not in that region), a child
 * born before (or on the day of) a parent's birth. Implausible data, a parent younger than 14 at
 * the birth, is refused unless the request confirms it, and the confirmation is recorded in the
 * committed record. Dates in the future are refused by the schema.
 */
import { findDistrict, findUnit, unitByCode } from '../places/places.ts';
import { ageOn } from '../dates.ts';
import type { FieldError } from '../http/problems.ts';
import type { Office } from '../offices.ts';
import type { BirthDetails } from './schema.ts';

/** Youngest plausible age of a parent at a birth; below it, registration needs confirmation. */
export const PLAUSIBLE_PARENT_AGE = 14;

export interface ConfirmedFact {
  rule: 'parent-younger-than-14';
  field: string;
}

export interface CheckedBirth {
  /** The details with places in the data's own spelling; `confirmed` lists what was confirmed. */
  details: BirthDetails & { confirmed: ConfirmedFact[] };
  errors: FieldError[];
}

export function checkBirth(input: BirthDetails, office: Office, prefix = ''): CheckedBirth {
  const errors: FieldError[] = [];
  const confirmed: ConfirmedFact[] = [];
  const at = (field: string) => prefix + field;
  const place = { ...input.child.placeOfBirth };

  const officeUnit = unitByCode(office.region);
  const unit = findUnit(place.region);
  if (!unit) {
    errors.push({ field: at('child.placeOfBirth.region'), reason: `is not one of Uzbekistan's 14 regions, the Republic of Karakalpakstan or Tashkent city` });
  } else if (unit.code !== office.region) {
    errors.push({ field: at('child.placeOfBirth.region'), reason: `is not the region of office ${office.code} (${officeUnit?.name ?? office.region})` });
  } else {
    place.region = unit.name;
    const district = findDistrict(unit, place.district);
    if (!district) errors.push({ field: at('child.placeOfBirth.district'), reason: `is not a district or city of ${unit.name}` });
    else place.district = district;
  }

  const birth = input.child.dateOfBirth;
  for (const role of ['mother', 'father'] as const) {
    const parent = input[role];
    if (!parent) continue;
    if (birth <= parent.dateOfBirth) {
      errors.push({ field: at('child.dateOfBirth'), reason: `is not after the ${role}'s date of birth (${parent.dateOfBirth})` });
      continue;
    }
    const age = ageOn(parent.dateOfBirth, birth);
    if (age < PLAUSIBLE_PARENT_AGE) {
      if (input.confirmations?.parentYoungerThan14 === true) confirmed.push({ rule: 'parent-younger-than-14', field: `${role}.dateOfBirth` });
      else
        errors.push({
          field: at(`${role}.dateOfBirth`),
          reason: `makes the ${role} ${age} at the birth, younger than ${PLAUSIBLE_PARENT_AGE}: check the documents and confirm with confirmations.parentYoungerThan14`,
        });
    }
  }
  if (input.mother.pinfl && input.father?.pinfl && input.mother.pinfl === input.father.pinfl) {
    errors.push({ field: at('father.pinfl'), reason: 'is the same as the mother\'s PINFL' });
  }

  return { details: { ...input, child: { ...input.child, placeOfBirth: place }, confirmed }, errors };
}
