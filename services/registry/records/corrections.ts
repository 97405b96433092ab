/**
 * @module
 * `POST /v1/records/:id/corrections`: a new version of a registration with a stated reason. The
 * version before stays in the ledger, untouched; the new one names its commitment. The details are
 * checked by the same rules as a new registration of that kind.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { TransactionSql } from '../../database/client.ts';
import { newRouter, type RouterDeps } from '../context.ts';
import { auditEntry, markAudited, requirePermission } from '../http/guard.ts';
import { registeredBody, registeredHeaders } from '../http/idempotency.ts';
import { fieldErrors, validationFailed } from '../http/problems.ts';
import { requireOffice } from '../offices.ts';
import { correctRegistration } from '../corrections.ts';
import { BIRTH_EXAMPLE, BirthDetails } from '../births/schema.ts';
import { checkBirth } from '../births/rules.ts';
import { MarriageDetails } from '../marriages/schema.ts';
import { checkMarriage } from '../marriages/rules.ts';
import { noCurrentMarriage } from '../marriages/routes.ts';
import { RegistrationCreated, created, problems } from '../schemas/responses.ts';
import { birthIdentity, birthPeople, marriagePeople, type BirthIdentity, type IndexedPerson } from './people.ts';
import { RecordParams, visibleRecord } from './params.ts';

const { office: _office, ...birthDetailsExample } = BIRTH_EXAMPLE;

export const CorrectionRequest = z
  .strictObject({
    correctsVersion: z.number().int().min(1).openapi({ description: 'The version being corrected: it must still be the current one.', example: 1 }),
    reason: z
      .string()
      .trim()
      .min(10, 'must state the reason in at least 10 characters')
      .max(500, 'must be at most 500 characters')
      .regex(/^[^\p{Cc}<>]*$/u, 'must be one line of plain text (no control characters, no < or >)')
      .openapi({ example: "Child's given name corrected to match the maternity hospital's birth certificate No. 4512" }),
    details: z.union([BirthDetails, MarriageDetails]).openapi({ description: 'The complete corrected details, in the shape of the record\'s kind (BirthDetails or MarriageDetails).' }),
  })
  .openapi('CorrectionRequest', {
    example: {
      correctsVersion: 1,
      reason: "Child's given name corrected to match the maternity hospital's birth certificate No. 4512",
      details: { ...birthDetailsExample, child: { ...birthDetailsExample.child, givenName: 'Mohinoz' } },
    },
  });

const correctRecord = createRoute({
  method: 'post',
  path: '/v1/records/{id}/corrections',
  tags: ['Records'],
  summary: 'Correct a record',
  description:
    'Appends a new version with the corrected details and the reason. The corrected version stays in the ledger as it was. ' +
    'The same correction sent again (its answer was lost, or it got a 503) is answered with the version it made (`201`, `Idempotent-Replayed: true`), never applied twice; ' +
    'a different correction of a version that is no longer current is `409`.',
  security: [{ bearer: [] }],
  middleware: [requirePermission('registrations.correct')] as const,
  request: { params: RecordParams, body: { required: true, content: { 'application/json': { schema: CorrectionRequest } } } },
  responses: {
    201: created(RegistrationCreated, 'The new version, pending anchoring.'),
    ...problems('malformed-request', 'unauthenticated', 'forbidden', 'not-found', 'conflict', 'payload-too-large', 'unsupported-media-type', 'validation-failed'),
  },
});

interface Checked {
  details: Record<string, unknown>;
  confirmed?: unknown[];
  people: IndexedPerson[];
  birthIdentity: BirthIdentity | null;
  before?: (tx: TransactionSql) => Promise<void>;
}

export function correctionRoutes(deps: RouterDeps) {
  const app = newRouter();
  app.openapi(correctRecord, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const record = await visibleRecord(deps, c, id);
    const office = await requireOffice(deps.office, record.office);

    let checked: Checked;
    if (record.kind === 'birth') {
      const parsed = BirthDetails.safeParse(body.details);
      if (!parsed.success) throw validationFailed(fieldErrors(parsed.error.issues, body.details, ['details']));
      const result = checkBirth(parsed.data, office, 'details.');
      if (result.errors.length) throw validationFailed(result.errors);
      const { confirmed, ...details } = result.details;
      checked = { details, confirmed, people: birthPeople(details), birthIdentity: birthIdentity(details) };
    } else {
      const parsed = MarriageDetails.safeParse(body.details);
      if (!parsed.success) throw validationFailed(fieldErrors(parsed.error.issues, body.details, ['details']));
      const errors = checkMarriage(parsed.data, 'details.');
      if (errors.length) throw validationFailed(errors);
      const people = marriagePeople(parsed.data);
      checked = { details: parsed.data, people, birthIdentity: null, before: noCurrentMarriage(people, record.recordId, 'details.') };
    }

    const corrected = await correctRegistration(deps.sql, {
      recordId: record.recordId,
      kind: record.kind,
      correctsVersion: body.correctsVersion,
      reason: body.reason,
      ...checked,
      audit: auditEntry(c, 201, record.recordId),
    });
    // A repeat wrote nothing, its audit entry included: the middleware records this request.
    if (!corrected.replayed) {
      markAudited(c);
      deps.metrics.correctionsRecorded.inc({ kind: record.kind });
    }
    return c.json(registeredBody(corrected), 201, registeredHeaders(corrected, corrected.replayed));
  });
  return app;
}
