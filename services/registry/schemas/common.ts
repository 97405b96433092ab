/**
 * @module
 * The building blocks of registration requests, as zod schemas: the single source of the request
 * types, of their validation and of the OpenAPI document. Every object is strict, so an unknown
 * field is refused rather than silently dropped (a misspelt `patronimyc` must not vanish).
 *
 * Free text is limited to what the field can hold: names are letters (Latin, Cyrillic, any script),
 * spaces, hyphens and apostrophes (oʻ, gʻ, tutuq belgisi); no digits, markup or SQL punctuation.
 */
import { z } from '@hono/zod-openapi';
import { todayInTashkent } from '../dates.ts';

const NAME = /^[\p{L}\p{M}](?:[\p{L}\p{M}'ʻʼ‘’` -]*[\p{L}\p{M}'ʻʼ‘’])?$/u;
const PLACE_TEXT = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}'ʻʼ‘’` .,-]*[\p{L}\p{M}\p{N}'ʻʼ‘’.])?$/u;

export const PersonName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(NAME, 'must be letters, spaces, hyphens and apostrophes only');

export const PlaceName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(PLACE_TEXT, 'must be letters, digits, spaces and . , - \' only');

/** Personal identification number of a natural person (PINFL, JShShIR): 14 digits. */
export const Pinfl = z
  .string()
  .regex(/^\d{14}$/, 'must be 14 digits (PINFL)')
  .openapi({ description: 'Personal identification number of a natural person (PINFL / JShShIR), 14 digits.', example: '41804961230045' });

/** ISO 3166-1 alpha-2 country code. */
export const Citizenship = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as UZ')
  .openapi({ description: 'ISO 3166-1 alpha-2 code of the country of citizenship.', example: 'UZ' });

export const OfficeCode = z
  .string()
  .regex(/^\d{4}$/, 'must be a 4-digit registry office code')
  .openapi({ description: 'Code of the registering civil registry office (FHDYo) or Public Service Center.', example: '1802' });

export const Sex = z.enum(['male', 'female']);

/** A calendar date, YYYY-MM-DD, that has happened (in Tashkent) and is not before 1900. */
export const PastDate = z
  .iso.date({ error: 'must be a real date written YYYY-MM-DD' })
  .refine((d) => d >= '1900-01-01', 'must not be before 1900-01-01')
  .refine((d) => d <= todayInTashkent(), 'must not be in the future')
  .openapi({ format: 'date' });

export const PlaceOfBirth = z
  .strictObject({
    region: PlaceName.openapi({ description: 'Top-level unit: a region (viloyat), the Republic of Karakalpakstan or Tashkent city.', example: 'Samarqand viloyati' }),
    district: PlaceName.openapi({ description: 'District (tuman) or city of regional subordination (shahar) of that unit.', example: 'Urgut tumani' }),
    settlement: PlaceName.openapi({ description: 'City, town, village or mahalla.', example: 'Urgut' }),
  })
  .openapi('PlaceOfBirth');

const names = {
  familyName: PersonName.openapi({ example: 'Karimova' }),
  givenName: PersonName.openapi({ example: 'Mohinur' }),
  patronymic: PersonName.optional().openapi({ description: 'Otasining ismi, e.g. "Rustam qizi", "Olim o‘g‘li".', example: 'Rustam qizi' }),
};

export const Parent = z
  .strictObject({
    ...names,
    dateOfBirth: PastDate,
    citizenship: Citizenship,
    pinfl: Pinfl.optional(),
  })
  .openapi('Parent');

export const Informant = z
  .strictObject({
    ...names,
    relationship: z.enum(['mother', 'father', 'relative', 'medical-institution', 'other']),
    pinfl: Pinfl.optional(),
  })
  .openapi('Informant');

export const Child = z
  .strictObject({
    ...names,
    sex: Sex,
    dateOfBirth: PastDate,
    placeOfBirth: PlaceOfBirth,
  })
  .openapi('Child');

export type PersonNames = { familyName: string; givenName: string; patronymic?: string | undefined };
