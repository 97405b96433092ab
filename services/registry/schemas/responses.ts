/**
 * @module
 * What the registry API answers, as zod schemas (for the OpenAPI document and the handlers' types),
 * and the problem responses (RFC 9457) each route may give.
 */
import { z } from '@hono/zod-openapi';
import { problemType } from '../../http/problem.ts';
import { ERROR_STATUS, type ErrorCode } from '../../errors.ts';

export const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/).openapi({ example: '0x5f1c0d6a3b2e4f7081920a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901' });
export const RegistrationNumber = z
  .string()
  .regex(/^\d{4}-\d{4}-\d{6,}$/)
  .openapi({ description: 'Office code, year, and the office\'s sequence in that year.', example: '1802-2026-000123' });
/** A record id as the registry hands them out: time-ordered (UUIDv7, record-versions.ts), here 2026-10-03 09:15 UTC. */
export const RECORD_ID_EXAMPLE = '01a1010b-9a20-7c4d-9b1a-2c4d5e6f7a8b';
export const RecordId = z.uuid().openapi({ description: 'The record\'s id: a UUID, time-ordered (RFC 9562 UUIDv7) unless derived from an Idempotency-Key.', example: RECORD_ID_EXAMPLE });

export const RegistrationCreated = z
  .object({
    id: RecordId,
    registrationNumber: RegistrationNumber,
    version: z.number().int().openapi({ example: 1 }),
    commitment: Hex32,
    status: z.literal('pending').openapi({ description: 'The version waits for the next Merkle batch to be anchored on chain.' }),
  })
  .openapi('RegistrationCreated');

export const Anchoring = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('pending') }),
    z.object({ status: z.literal('sealed'), batchId: z.number().int() }),
    z.object({
      status: z.literal('anchored'),
      batchId: z.number().int(),
      chainId: z.string(),
      contractAddress: z.string(),
      transactionHash: z.string(),
      blockNumber: z.number().int(),
      anchoredAt: z.string(),
    }),
  ])
  .openapi('Anchoring', { description: 'pending: waits for a batch; sealed: in a batch not yet on chain; anchored: the batch root is on chain.' });

export const Correction = z.object({ reason: z.string(), correctsVersion: z.number().int() }).openapi('Correction');

export const VersionView = z
  .object({
    version: z.number().int(),
    commitment: Hex32,
    previousCommitment: Hex32.nullable(),
    createdAt: z.string(),
    correction: Correction.nullable(),
    anchoring: Anchoring,
  })
  .openapi('RecordVersion');

export const OfficeView = z
  .object({
    code: z.string(),
    name: z.string(),
    region: z.string().openapi({ description: 'SOATO code of the office\'s top-level unit.', example: '1718' }),
    regionName: z.string().openapi({ description: 'Its name, as places of birth are written.', example: 'Samarqand viloyati' }),
  })
  .openapi('Office');

export const RecordView = z
  .object({
    id: RecordId,
    kind: z.enum(['birth', 'marriage']),
    registrationNumber: RegistrationNumber,
    office: OfficeView,
    registeredAt: z.string(),
    correctedAt: z.string().nullable(),
    version: z.number().int(),
    commitment: Hex32,
    anchoring: Anchoring,
    data: z.record(z.string(), z.unknown()).openapi({
      description: 'The committed content of the current version: `registration`, `details` (the shape a correction takes), `confirmed`, `correction`.',
    }),
    history: z.array(VersionView),
  })
  .openapi('Record');

export const FieldErrorView = z.object({ field: z.string(), reason: z.string() });

export const Problem = z
  .object({
    type: z.string().openapi({ example: problemType('validation-failed') }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string().openapi({ example: "child.dateOfBirth: is not after the mother's date of birth (2027-01-01)" }),
    instance: z.string().optional(),
    field: z.string().optional().openapi({ example: 'child.dateOfBirth' }),
    errors: z.array(FieldErrorView).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details; `type` is stable (urn:crvs:problem:<code>).' });

const PROBLEM_DESCRIPTIONS: Partial<Record<ErrorCode, string>> = {
  'malformed-request': 'The body is not JSON, or a path or query parameter cannot be parsed.',
  unauthenticated: 'No bearer token, or an unknown or revoked one.',
  forbidden: "The token's role or office does not allow this.",
  'not-found': 'No such record.',
  conflict: 'The record changed meanwhile (reload it and correct the current version), or an Idempotency-Key was reused for a different registration.',
  'payload-too-large': 'The body is over 64 KiB.',
  'unsupported-media-type': 'The body is not application/json.',
  'validation-failed': 'A field is missing, of the wrong type, impossible, or implausible without confirmation.',
};

/** OpenAPI response entries for the given problem codes. */
export function problems(...codes: ErrorCode[]) {
  return Object.fromEntries(
    codes.map((code) => [
      ERROR_STATUS[code],
      { description: PROBLEM_DESCRIPTIONS[code] ?? code, content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
}

/** A 201 of a registration or correction: where the record is, and whether this answers a repeat. */
export const created = (schema: z.ZodType, description: string) => ({
  description,
  headers: {
    Location: { description: 'The record: `/v1/records/{id}`.', schema: { type: 'string' as const } },
    'Idempotent-Replayed': {
      description: '`true` when the request repeated one already carried out, which is the answer; absent otherwise.',
      schema: { type: 'string' as const, enum: ['true'] },
    },
  },
  content: { 'application/json': { schema } },
});
