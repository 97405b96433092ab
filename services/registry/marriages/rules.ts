/**
 * @module
 * What a marriage registration must satisfy beyond its shape: both spouses at least 18 on the
 * date of the marriage (Family Code of the Republic of Uzbekistan, art. 15: the marriageable age is
 * eighteen), and two different persons (by PINFL, or by name and date of birth). That neither is
 * in a current marriage recorded here needs the database (see `currentMarriages` in records/store.ts).
 */
import { ageOn } from '../dates.ts';
import type { FieldError } from '../http/problems.ts';
import { identityName } from '../records/people.ts';
import type { MarriageDetails } from './schema.ts';

export const MARRIAGEABLE_AGE = 18;

export function checkMarriage(input: MarriageDetails, prefix = ''): FieldError[] {
  const errors: FieldError[] = [];
  input.spouses.forEach((spouse, i) => {
    const age = ageOn(spouse.dateOfBirth, input.dateOfMarriage);
    if (age < MARRIAGEABLE_AGE) {
      errors.push({ field: `${prefix}spouses.${i}.dateOfBirth`, reason: `makes this spouse ${age} on the date of marriage; the marriageable age is ${MARRIAGEABLE_AGE}` });
    }
  });
  const [a, b] = input.spouses as [MarriageDetails['spouses'][number], MarriageDetails['spouses'][number]];
  if (a.pinfl !== undefined && a.pinfl === b.pinfl) {
    errors.push({ field: `${prefix}spouses.1.pinfl`, reason: 'is the PINFL of the first spouse: the spouses must be two different persons' });
  } else if (identityName(a) === identityName(b) && a.dateOfBirth === b.dateOfBirth) {
    errors.push({ field: `${prefix}spouses.1`, reason: 'has the name and date of birth of the first spouse: the spouses must be two different persons' });
  }
  return errors;
}
