/**
 * @module
 * The birth registration request (`POST /v1/births`) and the birth details a correction replaces.
 */
import { z } from '@hono/zod-openapi';
import { Child, Informant, OfficeCode, Parent } from '../schemas/common.ts';

export const BirthConfirmations = z
  .strictObject({
    parentYoungerThan14: z.boolean().optional().openapi({
      description: 'Confirms, after checking the documents, that a parent was younger than 14 at the birth. Recorded with the registration.',
    }),
  })
  .openapi('BirthConfirmations');

const details = {
  child: Child,
  mother: Parent,
  father: Parent.optional().openapi({ description: 'Absent when paternity is not established.' }),
  informant: Informant,
  confirmations: BirthConfirmations.optional(),
};

export const BirthDetails = z.strictObject(details).openapi('BirthDetails');
export type BirthDetails = z.infer<typeof BirthDetails>;

export const BIRTH_EXAMPLE = {
  office: '1802',
  child: {
    familyName: 'Karimova',
    givenName: 'Mohinur',
    patronymic: 'Rustam qizi',
    sex: 'female',
    dateOfBirth: '2025-10-03',
    placeOfBirth: { region: 'Samarqand viloyati', district: 'Urgut tumani', settlement: 'Urgut' },
  },
  mother: { familyName: 'Karimova', givenName: 'Dilnoza', patronymic: 'Akmal qizi', dateOfBirth: '1996-04-18', citizenship: 'UZ', pinfl: '41804961230045' },
  father: { familyName: 'Karimov', givenName: 'Rustam', patronymic: "Olim o'g'li", dateOfBirth: '1993-09-07', citizenship: 'UZ', pinfl: '30709931230017' },
  informant: { familyName: 'Karimov', givenName: 'Rustam', patronymic: "Olim o'g'li", relationship: 'father', pinfl: '30709931230017' },
} as const;

export const BirthRegistrationRequest = z
  .strictObject({ office: OfficeCode, ...details })
  .openapi('BirthRegistrationRequest', { example: BIRTH_EXAMPLE });
export type BirthRegistrationRequest = z.infer<typeof BirthRegistrationRequest>;
