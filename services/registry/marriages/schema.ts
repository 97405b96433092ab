/**
 * @module
 * The marriage registration request (`POST /v1/marriages`) and the marriage details a correction
 * replaces.
 */
import { z } from '@hono/zod-openapi';
import { Citizenship, OfficeCode, PastDate, PersonName, Pinfl } from '../schemas/common.ts';

export const Spouse = z
  .strictObject({
    familyName: PersonName.openapi({ example: 'Yusupova' }),
    givenName: PersonName.openapi({ example: 'Nilufar' }),
    patronymic: PersonName.optional().openapi({ example: 'Shavkat qizi' }),
    dateOfBirth: PastDate,
    citizenship: Citizenship,
    pinfl: Pinfl.optional().openapi({ description: 'Required for citizens of Uzbekistan (PINFL / JShShIR, 14 digits).' }),
    familyNameAfterMarriage: PersonName.openapi({ description: 'Surname chosen for after the marriage.', example: 'Toshmatova' }),
  })
  .refine((s) => s.citizenship !== 'UZ' || s.pinfl !== undefined, { path: ['pinfl'], message: 'is required for a citizen of Uzbekistan' })
  .openapi('Spouse');

const details = {
  dateOfMarriage: PastDate.openapi({ example: '2025-10-18' }),
  spouses: z.array(Spouse).length(2, 'must name exactly two spouses'),
};

export const MarriageDetails = z.strictObject(details).openapi('MarriageDetails');
export type MarriageDetails = z.infer<typeof MarriageDetails>;

export const MARRIAGE_EXAMPLE = {
  office: '2605',
  dateOfMarriage: '2025-10-18',
  spouses: [
    {
      familyName: 'Toshmatov',
      givenName: 'Jasur',
      patronymic: "Baxtiyor o'g'li",
      dateOfBirth: '1997-02-11',
      citizenship: 'UZ',
      pinfl: '31102971234567',
      familyNameAfterMarriage: 'Toshmatov',
    },
    {
      familyName: 'Yusupova',
      givenName: 'Nilufar',
      patronymic: 'Shavkat qizi',
      dateOfBirth: '1999-06-25',
      citizenship: 'UZ',
      pinfl: '42506991234561',
      familyNameAfterMarriage: 'Toshmatova',
    },
  ],
} as const;

export const MarriageRegistrationRequest = z
  .strictObject({ office: OfficeCode, ...details })
  .openapi('MarriageRegistrationRequest', { example: MARRIAGE_EXAMPLE });
export type MarriageRegistrationRequest = z.infer<typeof MarriageRegistrationRequest>;
